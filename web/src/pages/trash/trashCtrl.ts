import { api, ApiError, newAction } from '../../api';
import { Controller } from '../../ctrl';
import { setCrumbs } from '../../layout/crumbs';
import { atLeast, type Page, type RestoreResult, type TrashEntry, type WorkspaceEntry } from '../../model';
import { paths } from '../../router';
import { confirmDialog, errorMessage, notify, notifyError } from '../../ui';

/** What the caller may restore (newest first), with restore and purge. */
export class TrashCtrl extends Controller {
  items: TrashEntry[] = [];
  nextCursor: string | null = null;
  loading = true;
  loadError: string | null = null;
  /** Workspaces where the caller is admin or owner: purging needs admin. */
  private adminOf = new Set<string>();

  constructor() {
    super();
    setCrumbs([
      { label: 'My workspaces', href: paths.home() },
      { label: 'Trash', href: paths.trash() },
    ]);
    void this.load();
  }

  async load(cursor?: string): Promise<void> {
    try {
      const [page, workspaces] = await Promise.all([
        api<Page<TrashEntry>>('GET', '/trash', { query: { cursor, limit: 50 } }),
        cursor ? null : api<{ items: WorkspaceEntry[] }>('GET', '/workspaces'),
      ]);
      if (workspaces) this.adminOf = new Set(workspaces.data.items.filter((w) => w.kind === 'workspace' && atLeast(w.role, 'admin')).map((w) => w.id));
      this.items = cursor ? [...this.items, ...page.data.items] : page.data.items;
      this.nextCursor = page.data.next_cursor;
      this.loadError = null;
    } catch (error) {
      this.loadError = errorMessage(error);
    } finally {
      this.loading = false;
      this.changed();
    }
  }

  canPurge(entry: TrashEntry): boolean {
    return this.adminOf.has(entry.workspace_id);
  }

  async restore(entry: TrashEntry): Promise<void> {
    try {
      const { data } = await api<RestoreResult>('POST', `/nodes/${entry.id}/restore`, { ifMatch: entry.version, action: newAction() });
      this.items = this.items.filter((e) => e.id !== entry.id);
      const where = data.restored_to_workspace_root ? ' at the top of its workspace (its folder is gone)' : '';
      const renamed = data.renamed_from ? `, renamed “${data.node.name}” (the name was taken)` : '';
      notify(`Restored “${entry.name}”${where}${renamed}.`, 'success');
      this.changed();
    } catch (error) {
      this.failed(error);
    }
  }

  async purge(entry: TrashEntry): Promise<void> {
    const what = entry.node_count > 1 ? `“${entry.name}” and the ${entry.node_count - 1} items in it` : `“${entry.name}”`;
    const ok = await confirmDialog({ title: 'Delete for good?', message: `${what} will be deleted permanently. This cannot be undone.`, confirmLabel: 'Delete for good', danger: true });
    if (!ok) return;
    try {
      await api('DELETE', `/nodes/${entry.id}/purge`, { ifMatch: entry.version, action: newAction() });
      this.items = this.items.filter((e) => e.id !== entry.id);
      notify(`Deleted “${entry.name}” for good.`, 'success');
      this.changed();
    } catch (error) {
      this.failed(error);
    }
  }

  private failed(error: unknown): void {
    if (error instanceof ApiError && (error.status === 412 || error.status === 404)) {
      notify('The trash changed meanwhile; it was reloaded.', 'error');
      void this.load();
      return;
    }
    notifyError(error);
  }
}
