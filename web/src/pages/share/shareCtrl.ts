import { Submission } from '../../actions';
import { api, ApiError, newAction } from '../../api';
import { Controller } from '../../ctrl';
import type { NodeRead, Role, Share, ShareLink, Visibility } from '../../model';
import { nodePath, paths } from '../../router';
import { confirmDialog, errorMessage, notify, notifyError } from '../../ui';

/** The ancestor whose visibility reaches furthest (public over unlisted), if any is not private. */
export function widestAbove(ancestors: NodeRead[]): NodeRead | null {
  return ancestors.find((n) => n.visibility === 'public') ?? ancestors.find((n) => n.visibility === 'unlisted') ?? null;
}

/** Who may do what on a node: grants to people (and those inherited), share links. */
export class ShareCtrl extends Controller {
  shares: Share[] = [];
  links: ShareLink[] = [];
  loading = true;
  loadError: string | null = null;
  email = '';
  role: Role = 'viewer';
  adding = false;
  addError: string | null = null;
  linkRole: Role = 'viewer';
  linkExpiry = '';
  creatingLink = false;
  linkError: string | null = null;
  /** The last link created: its token is shown only once, by the server too. */
  createdLink: ShareLink | null = null;
  /** The node as last read or written (its visibility and version change here). */
  current: NodeRead;
  savingVisibility: Visibility | null = null;
  /** The folder above with the widest visibility, when not private: it covers this node. */
  widerAbove: NodeRead | null = null;
  visibilityError: string | null = null;
  private addSubmission = new Submission();

  constructor(
    readonly node: NodeRead,
    private readonly onNodeChanged?: (node: NodeRead) => void,
  ) {
    super();
    this.current = node;
    void this.load();
  }

  /** The address that opens it for anyone (unlisted and public nodes). */
  get publicUrl(): string | null {
    return this.current.visibility === 'private' && !this.widerAbove ? null : `${location.origin}${nodePath(this.current)}`;
  }

  /** PUT /nodes/{id}/visibility (admin), If-Match the version read; the API's refusal shown. */
  async setVisibility(visibility: Visibility): Promise<void> {
    if (visibility === this.current.visibility || this.savingVisibility) return;
    this.savingVisibility = visibility;
    this.visibilityError = null;
    this.changed();
    try {
      const { data } = await api<NodeRead>('PUT', `/nodes/${this.current.id}/visibility`, { body: { visibility }, ifMatch: this.current.version, action: newAction() });
      this.updated({ ...data, role: data.role ?? this.current.role });
      notify(visibility === 'private' ? 'Only the people it is shared with can read it now.' : `It is ${visibility} now.`, 'success');
    } catch (error) {
      this.visibilityError = errorMessage(error);
      // Changed elsewhere meanwhile: read it again, so the next choice applies.
      if (error instanceof ApiError && error.status === 412) {
        try {
          const { data } = await api<NodeRead>('GET', `/nodes/${this.current.id}`);
          this.updated({ ...data, role: data.role ?? this.current.role });
          this.visibilityError = 'Someone changed it meanwhile; this is what it is now. Choose again if needed.';
        } catch {
          // The message above stays.
        }
      }
    } finally {
      this.savingVisibility = null;
      this.changed();
    }
  }

  private updated(node: NodeRead): void {
    this.current = node;
    this.onNodeChanged?.(node);
  }

  get direct(): Share[] {
    return this.shares.filter((s) => !s.inherited_from);
  }

  get inherited(): Share[] {
    return this.shares.filter((s) => s.inherited_from);
  }

  async load(): Promise<void> {
    try {
      const [shares, links, path] = await Promise.all([
        api<{ items: Share[] }>('GET', `/nodes/${this.node.id}/shares`),
        api<{ items: ShareLink[] }>('GET', `/nodes/${this.node.id}/share-links`),
        api<{ items: NodeRead[] }>('GET', `/nodes/${this.node.id}/breadcrumbs`),
      ]);
      this.shares = shares.data.items;
      this.links = links.data.items;
      this.widerAbove = widestAbove(path.data.items.slice(0, -1));
      this.loadError = null;
    } catch (error) {
      this.loadError = errorMessage(error);
    } finally {
      this.loading = false;
      this.changed();
    }
  }

  set<K extends 'email' | 'role' | 'linkRole' | 'linkExpiry'>(field: K, value: this[K]): void {
    this[field] = value;
    this.changed();
  }

  async add(): Promise<void> {
    this.adding = true;
    this.addError = null;
    this.changed();
    const action = this.addSubmission.action;
    try {
      await api('POST', `/nodes/${this.node.id}/shares`, { body: { email: this.email.trim(), role: this.role }, action });
      this.addSubmission.settled();
      notify(`Shared with ${this.email.trim()} as ${this.role}.`, 'success');
      this.email = '';
      await this.load();
    } catch (error) {
      this.addSubmission.settled(error);
      this.addError = errorMessage(error);
    } finally {
      this.adding = false;
      this.changed();
    }
  }

  async changeRole(share: Share, role: Role): Promise<void> {
    try {
      await api('POST', `/nodes/${this.node.id}/shares`, { body: { user_id: share.user_id, role }, action: newAction() });
      notify(`${share.display_name} is now ${role}.`, 'success');
    } catch (error) {
      notifyError(error);
    }
    await this.load();
  }

  async revoke(share: Share): Promise<void> {
    const ok = await confirmDialog({ title: 'Remove access?', message: `${share.display_name} (${share.email}) loses the ${share.role} role here.`, confirmLabel: 'Remove', danger: true });
    if (!ok) return;
    try {
      await api('DELETE', `/nodes/${this.node.id}/shares/${share.user_id}`, { action: newAction() });
    } catch (error) {
      notifyError(error);
    }
    await this.load();
  }

  async createLink(): Promise<void> {
    this.creatingLink = true;
    this.linkError = null;
    this.changed();
    try {
      // The server refuses an Idempotency-Key here: the answer carries the token, never stored.
      const expires_at = this.linkExpiry ? new Date(`${this.linkExpiry}T23:59:59`).toISOString() : null;
      const { data } = await api<ShareLink>('POST', `/nodes/${this.node.id}/share-links`, { body: { role: this.linkRole, expires_at }, noKey: true });
      this.createdLink = data;
      await this.load();
    } catch (error) {
      this.linkError = errorMessage(error);
    } finally {
      this.creatingLink = false;
      this.changed();
    }
  }

  linkUrl(link: ShareLink): string | null {
    return link.token ? `${location.origin}${paths.invite(link.token)}` : null;
  }

  async copy(text: string): Promise<void> {
    try {
      await navigator.clipboard.writeText(text);
      notify('Link copied.', 'success');
    } catch {
      notify('Copy the link from the field (the browser refused the clipboard).', 'info');
    }
  }

  async revokeLink(link: ShareLink): Promise<void> {
    const ok = await confirmDialog({ title: 'Revoke this link?', message: 'Nobody else can accept it. People who already accepted keep their role.', confirmLabel: 'Revoke', danger: true });
    if (!ok) return;
    try {
      await api('DELETE', `/share-links/${link.id}`, { action: newAction() });
      if (this.createdLink?.id === link.id) this.createdLink = null;
    } catch (error) {
      notifyError(error);
    }
    await this.load();
  }
}
