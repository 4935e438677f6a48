// The frame of every page: header (app name, breadcrumbs, widget slots, user menu), main.
import type { ComponentChildren } from 'preact';
import { navigate, paths } from '../router';
import { logout, useSession } from '../session';
import { Icon, Link, openMenuBelow } from '../ui';
import { type Crumb, crumbDrop, useCrumbs } from './crumbs';
import { Bell } from './Bell';
import { SearchBox } from './SearchBox';

/** A breadcrumb takes a dragged row when the page allows it (moves the node up there). */
function dropHandlers(crumb: Crumb) {
  const target = crumb.nodeId;
  if (!target) return {};
  const accepts = () => !!crumbDrop.get()?.canDrop(target);
  return {
    onDragOver: (event: DragEvent) => {
      if (!accepts()) return;
      event.preventDefault();
      (event.currentTarget as HTMLElement).classList.add('is-drop-target');
    },
    onDragLeave: (event: DragEvent) => (event.currentTarget as HTMLElement).classList.remove('is-drop-target'),
    onDrop: (event: DragEvent) => {
      (event.currentTarget as HTMLElement).classList.remove('is-drop-target');
      if (!accepts()) return;
      event.preventDefault();
      crumbDrop.get()?.drop(target);
    },
  };
}

export function Layout({ children }: { children?: ComponentChildren }) {
  const { user } = useSession();
  const crumbs = useCrumbs();
  return (
    <div class="shell">
      <header class="header">
        <Link href={paths.home()} class="brand" aria-label="catachess: my workspaces">
          <span class="brand-mark" aria-hidden="true">♞</span>
          <span class="brand-name">catachess</span>
        </Link>
        <nav class="crumbs" aria-label="Breadcrumbs">
          {crumbs.map((crumb, i) => (
            <span class="crumb" key={`${i}-${crumb.label}`} data-node-id={crumb.nodeId} {...dropHandlers(crumb)}>
              {i > 0 ? <span class="crumb-sep" aria-hidden="true">/</span> : null}
              {crumb.href && i < crumbs.length - 1 ? <Link href={crumb.href}>{crumb.label}</Link> : <span aria-current={i === crumbs.length - 1 ? 'page' : undefined}>{crumb.label}</span>}
            </span>
          ))}
        </nav>
        <div class="header-right">
          {user && <SearchBox />}
          <Link href={paths.public()} class="header-link" title="Public studies">
            <Icon name="globe" />
            <span class="header-link-text">Public</span>
          </Link>
          {user ? (
            <>
              <Bell key={user.id} />
              <Link href={paths.trash()} class="header-link" title="Trash">
                <Icon name="trash" />
                <span class="header-link-text">Trash</span>
              </Link>
              <button
                type="button"
                class="user-button"
                aria-haspopup="menu"
                title={user.email}
                onClick={(event) =>
                  openMenuBelow(event.currentTarget, [
                    { label: `Signed in as ${user.email}`, onSelect: () => undefined, disabled: true },
                    { label: 'Settings', onSelect: () => navigate(paths.settings()) },
                    { label: 'Log out', onSelect: () => void logout() },
                  ])
                }
              >
                <span class="avatar" aria-hidden="true">{(user.display_name || user.email).slice(0, 1).toUpperCase()}</span>
                <span class="user-name">{user.display_name || user.email}</span>
              </button>
            </>
          ) : (
            <Link href={paths.login()} class="header-link">
              Log in
            </Link>
          )}
        </div>
      </header>
      <main class="main">{children}</main>
    </div>
  );
}
