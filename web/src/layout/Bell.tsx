// The notification bell: unread count, the latest notifications with links, "mark all read".
import { useEffect, useRef } from 'preact/hooks';
import { useController } from '../ctrl';
import { BellCtrl } from '../pages/notifications/bellCtrl';
import { ago, notificationHref } from '../pages/notifications/notifications';
import { paths } from '../router';
import { Icon, Link } from '../ui';

export function Bell() {
  const ctrl = useController(() => new BellCtrl(), []);
  const root = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!ctrl.open) return;
    const outside = (event: MouseEvent) => !root.current?.contains(event.target as Node) && ctrl.close();
    const escape = (event: KeyboardEvent) => event.key === 'Escape' && ctrl.close();
    document.addEventListener('mousedown', outside);
    document.addEventListener('keydown', escape);
    return () => {
      document.removeEventListener('mousedown', outside);
      document.removeEventListener('keydown', escape);
    };
  }, [ctrl.open]);
  const unread = ctrl.unread;
  return (
    <div class="bell" ref={root}>
      <button
        type="button"
        class="bell-button"
        aria-haspopup="dialog"
        aria-expanded={ctrl.open}
        aria-label={unread ? `Notifications, ${unread} unread` : 'Notifications'}
        title="Notifications"
        onClick={() => ctrl.toggle()}
      >
        <Icon name="bell" />
        {unread > 0 && <span class="bell-count">{unread > 99 ? '99+' : unread}</span>}
      </button>
      {ctrl.open && (
        <div class="bell-panel" role="dialog" aria-label="Notifications">
          <div class="bell-head">
            <strong>Notifications</strong>
            <button type="button" class="btn btn-link mark-all" disabled={unread === 0 || ctrl.items.length === 0} onClick={() => void ctrl.markAllRead()}>
              Mark all read
            </button>
          </div>
          {ctrl.error ? (
            <p class="bell-note form-error">{ctrl.error}</p>
          ) : ctrl.items.length === 0 ? (
            <p class="bell-note muted">{ctrl.loading ? 'Loading…' : 'Nothing yet.'}</p>
          ) : (
            <ul class="bell-list">
              {ctrl.items.map((n) => (
                <li key={n.id} class={`notification${n.read_at ? '' : ' is-unread'}`} data-kind={n.kind}>
                  <a
                    href={notificationHref(n)}
                    onClick={(event) => {
                      if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
                      event.preventDefault();
                      void ctrl.follow(n);
                    }}
                  >
                    <span class="notification-summary">{n.summary}</span>
                    <span class="muted notification-when">{ago(n.created_at)}</span>
                  </a>
                </li>
              ))}
            </ul>
          )}
          <Link href={paths.settings()} class="bell-foot" onClick={() => ctrl.close()}>
            Notification settings
          </Link>
        </div>
      )}
    </div>
  );
}
