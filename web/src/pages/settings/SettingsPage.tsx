import { useEffect } from 'preact/hooks';
import { api, newAction } from '../../api';
import { Controller, useController } from '../../ctrl';
import { setCrumbs } from '../../layout/crumbs';
import { errorMessage, notify } from '../../ui';
import type { NotificationKind } from '../notifications/notifications';


export const KIND_LABELS: Record<NotificationKind, string> = {
  mention: 'Someone mentions me (@name) in a discussion',
  reply: 'Someone replies to my discussion or post',
  move_comment: 'Someone opens a discussion on a move of a study I own',
  share: 'Someone shares a folder or study with me',
};

/** GET/PUT /me/notification-preferences: which kinds of notification to receive. */
export class SettingsCtrl extends Controller {
  kinds: Partial<Record<NotificationKind, boolean>> = {};
  loading = true;
  saving: NotificationKind | null = null;
  error: string | null = null;
  private alive = true;

  constructor() {
    super();
    void this.load();
  }

  dispose(): void {
    this.alive = false;
  }

  async load(): Promise<void> {
    try {
      const { data } = await api<{ kinds: Record<NotificationKind, boolean> }>('GET', '/me/notification-preferences');
      if (!this.alive) return;
      this.kinds = data.kinds;
      this.error = null;
    } catch (error) {
      this.error = errorMessage(error);
    } finally {
      this.loading = false;
      this.changed();
    }
  }

  async toggle(kind: NotificationKind, on: boolean): Promise<void> {
    const before = this.kinds[kind];
    // The box shows the choice at once; a refusal puts it back.
    this.kinds = { ...this.kinds, [kind]: on };
    this.saving = kind;
    this.error = null;
    this.changed();
    try {
      const { data } = await api<{ kinds: Record<NotificationKind, boolean> }>('PUT', '/me/notification-preferences', { body: { kinds: { [kind]: on } }, action: newAction() });
      if (!this.alive) return;
      this.kinds = data.kinds;
      notify('Saved.', 'success');
    } catch (error) {
      this.kinds = { ...this.kinds, [kind]: before };
      this.error = errorMessage(error);
    } finally {
      this.saving = null;
      this.changed();
    }
  }
}

export function SettingsPage() {
  const ctrl = useController(() => new SettingsCtrl(), []);
  useEffect(() => setCrumbs([{ label: 'Settings' }]), []);
  return (
    <section class="page settings-page">
      <div class="page-head">
        <h1>Settings</h1>
      </div>
      <h2>Notifications</h2>
      <p class="muted">The bell in the header tells you about these. You are never told about your own actions, nor about what you cannot read.</p>
      {ctrl.loading ? (
        <p class="muted">Loading…</p>
      ) : (
        <ul class="settings-list">
          {(Object.keys(KIND_LABELS) as NotificationKind[]).map((kind) => (
            <li key={kind}>
              <label class="check">
                <input type="checkbox" name={`notify-${kind}`} checked={!!ctrl.kinds[kind]} disabled={ctrl.saving === kind} onChange={(e) => void ctrl.toggle(kind, e.currentTarget.checked)} />
                {KIND_LABELS[kind]}
              </label>
            </li>
          ))}
        </ul>
      )}
      {ctrl.error && (
        <p class="form-error" role="alert">
          {ctrl.error}
        </p>
      )}
    </section>
  );
}
