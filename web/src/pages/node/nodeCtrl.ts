import { Submission } from '../../actions';
import { api, ApiError, newAction } from '../../api';
import { Controller } from '../../ctrl';
import { crumbsOf, setCrumbs } from '../../layout/crumbs';
import { abilities, type FolderDuplicated, type NodeKind, type NodeRead, type Page, type StudyImport } from '../../model';
import { navigate, paths } from '../../router';
import { currentUser } from '../../session';
import { confirmDialog, errorMessage, notify, notifyError } from '../../ui';

export const PAGE_SIZE = 50;

export type Dialog =
  | { kind: 'create'; nodeKind: Exclude<NodeKind, 'workspace'> }
  | { kind: 'rename'; node: NodeRead }
  | { kind: 'move'; node: NodeRead }
  | { kind: 'duplicate'; node: NodeRead }
  | { kind: 'share'; node: NodeRead }
  | { kind: 'import' };

/** A workspace or folder: its children, and the actions on them. */
export class NodeCtrl extends Controller {
  node: NodeRead | null = null;
  path: NodeRead[] = [];
  children: NodeRead[] = [];
  nextCursor: string | null = null;
  loading = true;
  loadingMore = false;
  notFound = false;
  loadError: string | null = null;
  dialog: Dialog | null = null;
  /** The node being dragged (its row), and the folder row it is over. */
  dragging: NodeRead | null = null;
  dropTarget: string | null = null;
  private alive = true;

  constructor(readonly nodeId: string) {
    super();
    void this.load();
  }

  dispose(): void {
    this.alive = false;
  }

  get can() {
    return abilities(this.node?.role, this.node?.kind);
  }

  async load(): Promise<void> {
    try {
      const [node, crumbs, page] = await Promise.all([
        api<NodeRead>('GET', `/nodes/${this.nodeId}`),
        api<{ items: NodeRead[] }>('GET', `/nodes/${this.nodeId}/breadcrumbs`),
        api<Page<NodeRead>>('GET', `/nodes/${this.nodeId}/children`, { query: { limit: PAGE_SIZE } }),
      ]);
      if (!this.alive) return;
      if (node.data.kind === 'study') {
        navigate(paths.study(node.data.id), { replace: true });
        return;
      }
      this.node = node.data;
      this.path = crumbs.data.items;
      this.children = page.data.items;
      this.nextCursor = page.data.next_cursor;
      this.loadError = null;
      setCrumbs(crumbsOf(this.path));
    } catch (error) {
      if (!this.alive) return;
      if (error instanceof ApiError && error.status === 404 && !currentUser()) {
        // Not public: it may be shared with the visitor's account. Log in, then come back.
        navigate(paths.login(paths.node(this.nodeId)), { replace: true });
        return;
      }
      if (error instanceof ApiError && error.status === 404) this.notFound = true;
      else this.loadError = errorMessage(error);
      setCrumbs([{ label: 'My workspaces', href: paths.home() }]);
    } finally {
      this.loading = false;
      this.changed();
    }
  }

  async loadMore(): Promise<void> {
    if (!this.nextCursor || this.loadingMore) return;
    this.loadingMore = true;
    this.changed();
    try {
      const { data } = await api<Page<NodeRead>>('GET', `/nodes/${this.nodeId}/children`, { query: { limit: PAGE_SIZE, cursor: this.nextCursor } });
      const known = new Set(this.children.map((c) => c.id));
      this.children = [...this.children, ...data.items.filter((c) => !known.has(c.id))];
      this.nextCursor = data.next_cursor;
    } catch (error) {
      notifyError(error);
    } finally {
      this.loadingMore = false;
      this.changed();
    }
  }

  open(dialog: Dialog | null): void {
    this.dialog = dialog;
    this.changed();
  }

  /** A node created or changed here: put it in the list, in the server's name order. */
  private place(node: NodeRead): void {
    const others = this.children.filter((c) => c.id !== node.id);
    if (node.parent_id !== this.nodeId) {
      this.children = others;
      return;
    }
    const at = others.findIndex((c) => c.name.localeCompare(node.name) > 0);
    // Past the loaded page, the node shows up when the next page is loaded.
    if (at === -1 && this.nextCursor) this.children = others;
    else this.children = at === -1 ? [...others, node] : [...others.slice(0, at), node, ...others.slice(at)];
  }

  private replace(node: NodeRead): void {
    this.place(node);
    this.changed();
  }

  /** Create a folder or study; the dialog's Submission makes a double submit one effect. */
  async create(kind: Exclude<NodeKind, 'workspace'>, name: string, submission: Submission): Promise<void> {
    const action = submission.action;
    const body = { name: name.trim(), parent_id: this.nodeId };
    try {
      let created: NodeRead;
      if (kind === 'study') {
        const { data } = await api<StudyImport>('POST', '/studies', { body, action });
        created = data.studies[0];
      } else {
        created = (await api<NodeRead>('POST', '/nodes', { body: { ...body, kind }, action })).data;
      }
      submission.settled();
      this.place(created);
      if (this.dialog?.kind === 'create') this.dialog = null;
      notify(`Created ${kind} “${created.name}”.`, 'success');
      this.changed();
    } catch (error) {
      submission.settled(error);
      throw error;
    }
  }

  /** Import a PGN file as new studies here (one chapter per game; 64 games per study). */
  async importPgn(name: string, pgn: string, submission: Submission): Promise<StudyImport> {
    const action = submission.action;
    try {
      const { data } = await api<StudyImport>('POST', '/studies', { body: { name: name.trim(), parent_id: this.nodeId, pgn }, action });
      submission.settled();
      for (const study of data.studies) this.place(study);
      this.dialog = null;
      const studies = data.studies.length;
      notify(`Imported ${data.game_count} game${data.game_count === 1 ? '' : 's'} into ${studies} ${studies === 1 ? 'study' : 'studies'}.`, 'success');
      this.changed();
      return data;
    } catch (error) {
      submission.settled(error);
      throw error;
    }
  }

  /** Duplicate a folder into a workspace or folder (an empty name: the server numbers it),
   * then open the copy. */
  async duplicate(node: NodeRead, parentId: string, name: string, discussions: boolean, submission: Submission): Promise<void> {
    const body = { parent_id: parentId, with_discussions: discussions, ...(name.trim() ? { name: name.trim() } : {}) };
    try {
      const { data } = await api<FolderDuplicated>('POST', `/nodes/${node.id}/duplicate`, { body, action: submission.action });
      submission.settled();
      this.dialog = null;
      const others = data.node_count - 1;
      const below = others === 0 ? 'nothing below it' : `${others} folder${others === 1 ? '' : 's'} and stud${others === 1 ? 'y' : 'ies'} below it`;
      notify(`Duplicated “${node.name}” as “${data.node.name}”: ${below}, ${data.chapter_count} chapter${data.chapter_count === 1 ? '' : 's'}.`, 'success');
      navigate(paths.node(data.node.id));
    } catch (error) {
      submission.settled(error);
      throw error;
    }
  }

  /** The row as last loaded (a dialog opened before a reload holds an older copy). */
  fresh(node: NodeRead): NodeRead {
    if (node.id === this.node?.id) return this.node;
    return this.children.find((c) => c.id === node.id) ?? node;
  }

  /** The page's own node changed (renamed): its heading and breadcrumbs follow. */
  private replaceSelf(node: NodeRead): void {
    this.node = { ...node, role: node.role ?? this.node?.role ?? null };
    this.path = [...this.path.slice(0, -1), this.node];
    setCrumbs(crumbsOf(this.path));
    this.changed();
  }

  /** A node changed elsewhere (the share dialog's visibility): this page's node or a row. */
  nodeChanged(node: NodeRead): void {
    if (node.id === this.node?.id) this.replaceSelf(node);
    else this.replace(node);
  }

  /** Set this page's description (Markdown, If-Match); on 412 reloaded, the text kept. */
  async describe(description: string, submission: Submission): Promise<void> {
    const node = this.node;
    if (!node) return;
    const action = submission.action;
    try {
      const { data } = await api<NodeRead>('PATCH', `/nodes/${node.id}`, { body: { description }, ifMatch: node.version, action });
      submission.settled();
      this.replaceSelf(data);
    } catch (error) {
      submission.settled(error);
      if (await this.stale(error)) throw new Error('Someone changed this meanwhile. Press Save again to keep your text.');
      throw error;
    }
  }

  /** Rename; on 412 the list is reloaded and the dialog keeps the typed name, so a second
   * submit applies it over the other change, knowingly. */
  async rename(node: NodeRead, name: string, submission: Submission): Promise<void> {
    const action = submission.action;
    const current = this.fresh(node);
    try {
      const { data } = await api<NodeRead>('PATCH', `/nodes/${node.id}`, { body: { name: name.trim() }, ifMatch: current.version, action });
      submission.settled();
      this.dialog = null;
      if (data.id === this.node?.id) this.replaceSelf(data);
      else this.replace(data);
    } catch (error) {
      submission.settled(error);
      if (await this.stale(error)) {
        const now = this.fresh(node);
        throw new Error(`Someone changed “${now.name}” meanwhile. Press Rename again to use your name.`);
      }
      throw error;
    }
  }

  /** Move a node under another folder (drop or dialog); If-Match its version. */
  async move(node: NodeRead, parentId: string, action = newAction()): Promise<boolean> {
    const current = this.fresh(node);
    if (parentId === current.id || parentId === current.parent_id) return false;
    try {
      const { data } = await api<NodeRead>('PATCH', `/nodes/${node.id}`, { body: { parent_id: parentId }, ifMatch: current.version, action });
      this.dialog = null;
      this.replace(data);
      notify(`Moved “${data.name}”.`, 'success');
      return true;
    } catch (error) {
      if (!(await this.stale(error))) notifyError(error);
      return false;
    }
  }

  async trash(node: NodeRead): Promise<void> {
    const ok = await confirmDialog({
      title: `Move “${node.name}” to the trash?`,
      message: `${node.kind === 'study' ? 'The study' : 'It and everything in it'} can be restored from the trash page until it is purged.`,
      confirmLabel: 'Move to trash',
      danger: true,
    });
    if (!ok) return;
    try {
      await api('DELETE', `/nodes/${node.id}`, { ifMatch: this.fresh(node).version, action: newAction() });
      notify(`“${node.name}” is in the trash.`, 'success');
      if (node.id === this.node?.id) {
        // The page's own node is gone: go up to where it was.
        navigate(node.parent_id ? paths.node(node.parent_id) : paths.home());
        return;
      }
      this.children = this.children.filter((c) => c.id !== node.id);
      this.changed();
    } catch (error) {
      if (!(await this.stale(error))) notifyError(error);
    }
  }

  /** On 412 someone changed the node meanwhile: reload the list and say so. */
  private async stale(error: unknown): Promise<boolean> {
    if (!(error instanceof ApiError && error.status === 412)) return false;
    notify('Someone changed this meanwhile; the list was reloaded. Try again.', 'error');
    await this.load();
    return true;
  }

  // Drag a row onto a folder row (or a breadcrumb) to move it there.
  dragStart(node: NodeRead): void {
    this.dragging = node;
    this.changed();
  }

  dragOver(targetId: string | null): void {
    if (this.dropTarget === targetId) return;
    this.dropTarget = targetId;
    this.changed();
  }

  dragEnd(): void {
    this.dragging = null;
    this.dropTarget = null;
    this.changed();
  }

  canDrop(targetId: string): boolean {
    return !!this.dragging && this.dragging.id !== targetId && this.dragging.parent_id !== targetId;
  }

  async drop(targetId: string): Promise<void> {
    const node = this.dragging;
    this.dragEnd();
    if (node && targetId !== node.id) await this.move(node, targetId);
  }
}
