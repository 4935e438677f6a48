import { useController } from '../../ctrl';
import { Button, Icon } from '../../ui';
import { TrashCtrl } from './trashCtrl';

export function TrashPage() {
  const ctrl = useController(() => new TrashCtrl(), []);
  return (
    <section class="page">
      <div class="page-head">
        <h1>Trash</h1>
      </div>
      <p class="muted">Deleted folders and studies stay here until they are purged (automatically after the retention period).</p>
      {ctrl.loading ? (
        <p class="muted">Loading…</p>
      ) : ctrl.loadError ? (
        <p class="form-error">{ctrl.loadError}</p>
      ) : ctrl.items.length === 0 ? (
        <p class="muted empty">The trash is empty.</p>
      ) : (
        <ul class="rows" aria-label="Trash">
          {ctrl.items.map((entry) => (
            <li key={entry.id} class="row trash-row" data-node-id={entry.id}>
              <div class="row-link">
                <span class="row-icon" aria-hidden="true">
                  <Icon name={entry.kind} />
                </span>
                <span class="row-name">{entry.name}</span>
                <span class="row-kind trash-meta">
                  from {entry.original_path.join(' / ') || 'the top'} · {entry.node_count} item{entry.node_count === 1 ? '' : 's'} · by {entry.trashed_by_name}{' '}
                  {new Date(entry.trashed_at).toLocaleString()} · purged after {new Date(entry.purge_after).toLocaleDateString()}
                </span>
              </div>
              <div class="row-actions">
                <Button class="restore" onClick={() => void ctrl.restore(entry)}>
                  Restore
                </Button>
                {ctrl.canPurge(entry) && (
                  <Button kind="danger" class="purge" onClick={() => void ctrl.purge(entry)}>
                    Purge
                  </Button>
                )}
              </div>
            </li>
          ))}
        </ul>
      )}
      {ctrl.nextCursor && <Button onClick={() => void ctrl.load(ctrl.nextCursor ?? undefined)}>Load more</Button>}
    </section>
  );
}
