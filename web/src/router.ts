// Client routes (the server serves index.html for exactly these; see catachess/webapp.py):
//   /  /login  /register  /n/:nodeId  /s/:studyId  /s/:studyId/:chapterId?move=  /trash
//   /invite/:token
import { store } from './store';

export type Route =
  | { name: 'home' }
  | { name: 'login'; next?: string }
  | { name: 'register'; next?: string }
  | { name: 'node'; nodeId: string }
  | { name: 'study'; studyId: string; chapterId?: string; moveId?: string }
  | { name: 'trash' }
  | { name: 'invite'; token: string }
  | { name: 'notFound'; path: string };

export const paths = {
  home: () => '/',
  login: (next?: string) => (next && next !== '/' ? `/login?next=${encodeURIComponent(next)}` : '/login'),
  register: (next?: string) => (next && next !== '/' ? `/register?next=${encodeURIComponent(next)}` : '/register'),
  node: (nodeId: string) => `/n/${nodeId}`,
  study: (studyId: string, chapterId?: string, moveId?: string) =>
    `/s/${studyId}${chapterId ? `/${chapterId}` : ''}${chapterId && moveId ? `?move=${encodeURIComponent(moveId)}` : ''}`,
  trash: () => '/trash',
  invite: (token: string) => `/invite/${token}`,
};

/** A node opens where it is read: a study on its page, a workspace or folder in the browser. */
export function nodePath(node: { id: string; kind: string }): string {
  return node.kind === 'study' ? paths.study(node.id) : paths.node(node.id);
}

export function parseRoute(pathname: string, search = ''): Route {
  const params = new URLSearchParams(search);
  const next = safeNext(params.get('next'));
  const parts = pathname.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts.length === 0) return { name: 'home' };
  const [first, ...rest] = parts;
  if (first === 'login' && rest.length === 0) return { name: 'login', next };
  if (first === 'register' && rest.length === 0) return { name: 'register', next };
  if (first === 'trash' && rest.length === 0) return { name: 'trash' };
  if (first === 'n' && rest.length === 1) return { name: 'node', nodeId: rest[0] };
  if (first === 'invite' && rest.length === 1) return { name: 'invite', token: rest[0] };
  if (first === 's' && (rest.length === 1 || rest.length === 2)) {
    const route: Route = { name: 'study', studyId: rest[0] };
    if (rest[1]) route.chapterId = rest[1];
    const move = params.get('move');
    if (rest[1] && move) route.moveId = move;
    return route;
  }
  return { name: 'notFound', path: pathname };
}

/** Only a path of this app, never another origin (an open redirect after login). */
export function safeNext(next: string | null | undefined): string | undefined {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return undefined;
  return next;
}

export function currentPath(): string {
  const location = globalThis.location;
  return location ? location.pathname + location.search : '/';
}

export function navigate(path: string, opts: { replace?: boolean } = {}): void {
  if (path === currentPath()) return;
  if (opts.replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  route.set(currentRoute());
}

export function currentRoute(): Route {
  return parseRoute(globalThis.location?.pathname ?? '/', globalThis.location?.search ?? '');
}

const route = store<Route>(currentRoute());
if (typeof window !== 'undefined') window.addEventListener('popstate', () => route.set(currentRoute()));

/** The current route; re-renders on navigate() and on the browser's back and forward. */
export function useRoute(): Route {
  return route.use();
}

/** Follow an in-app link without reloading (a modified click still opens a new tab). */
export function onLinkClick(event: MouseEvent, href: string): void {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  event.preventDefault();
  navigate(href);
}
