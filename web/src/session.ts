// The logged-in user and their bearer token, kept in localStorage so a reload stays
// logged in; useSession() re-renders a component when the user logs in or out.
import { api } from './api';
import { currentPath, navigate, paths } from './router';
import { store } from './store';

export interface User {
  id: string;
  email: string;
  display_name: string;
  created_at?: string;
}

interface Stored {
  token: string;
  user: User;
}

interface TokenRead {
  access_token: string;
  expires_at: string;
  user: User;
}

const STORAGE_KEY = 'catachess.session';
const session = store<Stored | null>(load());

function load(): Stored | null {
  try {
    const text = globalThis.localStorage?.getItem(STORAGE_KEY);
    if (!text) return null;
    const parsed = JSON.parse(text) as Stored;
    return parsed && typeof parsed.token === 'string' && parsed.user ? parsed : null;
  } catch {
    return null;
  }
}

function save(next: Stored | null): void {
  try {
    if (next) globalThis.localStorage?.setItem(STORAGE_KEY, JSON.stringify(next));
    else globalThis.localStorage?.removeItem(STORAGE_KEY);
  } catch {
    // Private mode without storage: the session lives until the tab closes.
  }
  session.set(next);
}

export function currentToken(): string | null {
  return session.get()?.token ?? null;
}

export function currentUser(): User | null {
  return session.get()?.user ?? null;
}

export function useSession(): { user: User | null } {
  return { user: session.use()?.user ?? null };
}

export async function login(email: string, password: string): Promise<User> {
  const { data } = await api<TokenRead>('POST', '/auth/login', { body: { email, password }, noKey: true });
  save({ token: data.access_token, user: data.user });
  return data.user;
}

export async function register(email: string, password: string, displayName: string): Promise<User> {
  await api<User>('POST', '/auth/register', { body: { email, password, display_name: displayName } });
  return login(email, password);
}

/** Revoke the token on the server (best effort), forget it here, go to /login. */
export async function logout(): Promise<void> {
  if (session.get()) {
    try {
      await api('POST', '/auth/logout');
    } catch {
      // An expired token or no network: it is forgotten here all the same.
    }
  }
  save(null);
  navigate(paths.login());
}

/** The server refused the token (401): forget it and ask to log in again. */
export function expireSession(): void {
  if (!session.get()) return;
  save(null);
  const here = currentPath();
  navigate(paths.login(here.startsWith('/login') ? undefined : here), { replace: true });
}
