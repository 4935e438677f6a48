import { useController } from '../../ctrl';
import type { WorkspaceEntry } from '../../model';
import { nodePath } from '../../router';
import { Button, Icon, Link } from '../../ui';
import { WorkspacesCtrl } from './workspacesCtrl';

export function WorkspacesPage() {
  const ctrl = useController(() => new WorkspacesCtrl(), []);
  return (
    <section class="page">
      <div class="page-head">
        <h1>My workspaces</h1>
      </div>
      <form
        class="inline-form"
        aria-label="New workspace"
        onSubmit={(event) => {
          event.preventDefault();
          void ctrl.create();
        }}
      >
        <input name="workspace_name" placeholder="New workspace name" maxLength={200} value={ctrl.newName} onInput={(e) => ctrl.setName(e.currentTarget.value)} />
        <Button kind="primary" type="submit" busy={ctrl.creating}>
          Create workspace
        </Button>
      </form>
      {ctrl.createError && (
        <p class="form-error" role="alert">
          {ctrl.createError}
        </p>
      )}
      {ctrl.loading ? (
        <p class="muted">Loading…</p>
      ) : ctrl.loadError ? (
        <p class="form-error">{ctrl.loadError}</p>
      ) : (
        <>
          <WorkspaceList title="Owned by you" items={ctrl.own} empty="You have no workspace yet: create one above." />
          {ctrl.shared.length > 0 && <WorkspaceList title="Shared with you" items={ctrl.shared} />}
        </>
      )}
    </section>
  );
}

function WorkspaceList({ title, items, empty }: { title: string; items: WorkspaceEntry[]; empty?: string }) {
  return (
    <div class="ws-section">
      <h2>{title}</h2>
      {items.length === 0 ? (
        <p class="muted">{empty}</p>
      ) : (
        <ul class="cards">
          {items.map((w) => (
            <li key={w.id} class="card" data-node-id={w.id}>
              <Link href={nodePath(w)} class="card-link">
                <span class="card-icon"><Icon name={w.kind} /></span>
                <span class="card-name">{w.name}</span>
              </Link>
              <span class="card-meta">
                <span class={`badge role-${w.role}`}>{w.role}</span>
                {w.shared_entry && <span class="badge">{w.kind} shared with you</span>}
              </span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
