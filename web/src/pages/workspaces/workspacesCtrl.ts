import { Submission } from '../../actions';
import { api } from '../../api';
import { Controller } from '../../ctrl';
import { setCrumbs } from '../../layout/crumbs';
import type { NodeRead, WorkspaceEntry } from '../../model';
import { navigate, paths } from '../../router';
import { errorMessage } from '../../ui';

/** My workspaces (own and shared) and the "new workspace" form. */
export class WorkspacesCtrl extends Controller {
  items: WorkspaceEntry[] = [];
  loading = true;
  loadError: string | null = null;
  newName = '';
  creating = false;
  createError: string | null = null;
  private submission = new Submission();

  constructor() {
    super();
    setCrumbs([{ label: 'My workspaces', href: paths.home() }]);
    void this.load();
  }

  async load(): Promise<void> {
    try {
      const { data } = await api<{ items: WorkspaceEntry[] }>('GET', '/workspaces');
      this.items = data.items;
      this.loadError = null;
    } catch (error) {
      this.loadError = errorMessage(error);
    } finally {
      this.loading = false;
      this.changed();
    }
  }

  get own(): WorkspaceEntry[] {
    return this.items.filter((w) => w.role === 'owner' && !w.shared_entry);
  }

  get shared(): WorkspaceEntry[] {
    return this.items.filter((w) => !(w.role === 'owner' && !w.shared_entry));
  }

  setName(value: string): void {
    this.newName = value;
    this.changed();
  }

  async create(): Promise<void> {
    const name = this.newName.trim();
    if (!name) {
      this.createError = 'Give the workspace a name.';
      this.changed();
      return;
    }
    this.creating = true;
    this.createError = null;
    this.changed();
    const action = this.submission.action;
    try {
      const { data } = await api<NodeRead>('POST', '/nodes', { body: { kind: 'workspace', name }, action });
      this.submission.settled();
      this.newName = '';
      navigate(paths.node(data.id));
    } catch (error) {
      this.submission.settled(error);
      this.createError = errorMessage(error);
    } finally {
      this.creating = false;
      this.changed();
    }
  }
}
