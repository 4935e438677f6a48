// Client routes (the server serves index.html for exactly these; see catachess/webapp.py):
//   /  /login  /register  /n/:nodeId  /s/:studyId  /s/:studyId/:chapterId?move=&thread=  /trash
//   /invite/:token  /search?q=…  /search/positions?fen=…  /public  /settings
import { store } from './store';

export type Route =
  | { name: 'home' }
  | { name: 'login'; next?: string }
  | { name: 'register'; next?: string }
  | { name: 'node'; nodeId: string }
  | { name: 'study'; studyId: string; chapterId?: string; moveId?: string; threadId?: string }
  | { name: 'trash' }
  | { name: 'invite'; token: string }
  /** `search` is the query string: the page reads its filters from it (pages/search/query.ts). */
  | { name: 'search'; search: string }
  /** `from`: "<chapter>/<move>" of the study page that asked (its own row is marked). */
  | { name: 'positions'; fen: string; from?: string }
  | { name: 'public'; order: 'newest' | 'stars' }
  | { name: 'settings' }
  | { name: 'notFound'; path: string };

export const paths = {
  home: () => '/',
  login: (next?: string) => (next && next !== '/' ? `/login?next=${encodeURIComponent(next)}` : '/login'),
  register: (next?: string) => (next && next !== '/' ? `/register?next=${encodeURIComponent(next)}` : '/register'),
  node: (nodeId: string) => `/n/${nodeId}`,
  /** `threadId`: a discussion of the study to open (search hits on posts, notifications). */
  study: (studyId: string, chapterId?: string, moveId?: string, threadId?: string) => {
    const query = new URLSearchParams();
    if (chapterId && moveId) query.set('move', moveId);
    if (threadId) query.set('thread', threadId);
    const text = query.toString();
    return `/s/${studyId}${chapterId ? `/${chapterId}` : ''}${text ? `?${text}` : ''}`;
  },
  trash: () => '/trash',
  invite: (token: string) => `/invite/${token}`,
  /** `query`: a query string without '?' (see pages/search/query.ts, searchPath). */
  search: (query = '') => (query ? `/search?${query}` : '/search'),
  positions: (fen: string, from?: string) => `/search/positions?fen=${encodeURIComponent(fen)}${from ? `&from=${encodeURIComponent(from)}` : ''}`,
  public: (order: 'newest' | 'stars' = 'newest') => (order === 'stars' ? '/public?order=stars' : '/public'),
  settings: () => '/settings',
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
  if (first === 'search' && rest.length === 0) return { name: 'search', search: params.toString() };
  if (first === 'search' && rest.length === 1 && rest[0] === 'positions') {
    const route: Route = { name: 'positions', fen: params.get('fen') ?? '' };
    const from = params.get('from');
    if (from) route.from = from;
    return route;
  }
  if (first === 'public' && rest.length === 0) return { name: 'public', order: params.get('order') === 'stars' ? 'stars' : 'newest' };
  if (first === 'settings' && rest.length === 0) return { name: 'settings' };
  if (first === 'n' && rest.length === 1) return { name: 'node', nodeId: rest[0] };
  if (first === 'invite' && rest.length === 1) return { name: 'invite', token: rest[0] };
  if (first === 's' && (rest.length === 1 || rest.length === 2)) {
    const route: Route = { name: 'study', studyId: rest[0] };
    if (rest[1]) route.chapterId = rest[1];
    const move = params.get('move');
    if (rest[1] && move) route.moveId = move;
    const thread = params.get('thread');
    if (thread) route.threadId = thread;
    return route;
  }
  return { name: 'notFound', path: pathname };
}

/** Pages an anonymous visitor may open: a public or unlisted study or folder is read
 * without an account (the server answers 404 for anything else). */
export function openToAnonymous(route: Route): boolean {
  return ['login', 'register', 'notFound', 'public', 'study', 'node'].includes(route.name);
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
