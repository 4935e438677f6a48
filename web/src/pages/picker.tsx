// A destination picker (browse from the caller's workspaces down through folders) and the
// error line under a form: shared by the study page's and the folder page's dialogs.

import { useEffect, useState } from 'preact/hooks';
import { api } from '../api';
import { atLeast, type NodeRead, type Page, type Role, type WorkspaceEntry } from '../model';
import { errorMessage, Icon } from '../ui';

/** The problem's detail under a form (nothing when there is none). */
export function FormError({ error }: { error: string | null }) {
  return error ? (
    <p class="form-error" role="alert">
      {error}
    </p>
  ) : null;
}

export interface Place {
  id: string;
  name: string;
  kind: string;
  /** The caller's role here: a child inherits at least its parent's. */
  role: Role | null;
}

/**
 * Browse from the caller's workspaces down through folders; `here` is the folder shown.
 * With `studies`, the studies of a folder are listed too, to be picked.
 */
export function Browser({
  here,
  go,
  studies,
  picked,
  pick,
  exclude,
}: {
  here: Place[];
  go: (path: Place[]) => void;
  studies?: boolean;
  picked?: string | null;
  pick?: (study: Place) => void;
  exclude?: string;
}) {
  const [items, setItems] = useState<Place[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const current = here[here.length - 1];
  useEffect(() => {
    setItems(null);
    setError(null);
    const load = current
      ? api<Page<NodeRead>>('GET', `/nodes/${current.id}/children`, { query: { limit: 200 } }).then(({ data }) =>
          data.items.map((n) => ({ id: n.id, name: n.name, kind: n.kind, role: n.role ?? current.role })),
        )
      : api<{ items: WorkspaceEntry[] }>('GET', '/workspaces').then(({ data }) => data.items.map((n) => ({ id: n.id, name: n.name, kind: n.kind, role: n.role })));
    load.then(setItems).catch((e) => setError(errorMessage(e)));
  }, [current?.id]);
  const shown = (items ?? []).filter((n) => n.id !== exclude && (n.kind !== 'study' || studies));
  return (
    <div class="picker">
      <nav class="move-path" aria-label="Destination">
        <button type="button" class="btn-link" onClick={() => go([])}>
          My workspaces
        </button>
        {here.map((crumb, i) => (
          <span key={crumb.id}>
            {' / '}
            <button type="button" class="btn-link" onClick={() => go(here.slice(0, i + 1))}>
              {crumb.name}
            </button>
          </span>
        ))}
      </nav>
      <FormError error={error} />
      {items === null && !error ? (
        <p class="muted">Loading…</p>
      ) : shown.length === 0 ? (
        <p class="muted">{studies ? 'No folder or study here.' : 'No folders here.'}</p>
      ) : (
        <ul class="move-folders picker-items">
          {shown.map((n) =>
            n.kind === 'study' ? (
              <li key={n.id}>
                <button
                  type="button"
                  class={`pick-study${picked === n.id ? ' on' : ''}`}
                  data-study={n.id}
                  disabled={!atLeast(n.role, 'editor')}
                  title={atLeast(n.role, 'editor') ? undefined : 'You may not edit this study'}
                  onClick={() => pick?.(n)}
                >
                  <Icon name="study" size={16} /> {n.name}
                </button>
              </li>
            ) : (
              <li key={n.id}>
                <button type="button" class="move-folder" data-node={n.id} onClick={() => go([...here, n])}>
                  <Icon name={n.kind === 'workspace' ? 'workspace' : 'folder'} size={16} /> {n.name}
                </button>
              </li>
            ),
          )}
        </ul>
      )}
    </div>
  );
}

