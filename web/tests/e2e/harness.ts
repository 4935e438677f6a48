// Helpers for end-to-end tests (see web/README.md). Each test file shares the one server
// and the one Chromium started by globalSetup.ts:
//   const page = await newPage();              // a fresh browser context (own storage)
//   const user = await registerAndLogin(page);  // an account, logged in in that page
//   await page.goto(`${BASE_URL}/`);
//   const ws = await apiAs(user).post('/nodes', { kind: 'workspace', name: 'W' });
//   await shot(page, 'name');                   // web/test-results/name.png
// A failing test keeps a screenshot of each of its pages: test-results/FAILED-<test>-<n>.png.
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, expect, inject, onTestFinished } from 'vitest';

export const BASE_URL = inject('baseUrl');
export const RESULTS = resolve(import.meta.dirname, '../../test-results');
export const PASSWORD = 'correct horse battery';

// expect.poll gives up after 1 s by default: far too short on a machine loaded by other
// suites. A test that promises sooner (live updates) says so with its own timeout.
export const eventually = <T>(read: () => Promise<T> | T, { timeout = 30_000, interval = 100 } = {}) =>
  expect.poll(read, { timeout, interval });

let browser: Promise<Browser> | null = null;

function sharedBrowser(): Promise<Browser> {
  browser ??= chromium.connect(inject('browserWsEndpoint'));
  return browser;
}

// The connection to the shared browser ends with the test file (the browser stays up).
afterAll(async () => {
  if (browser) await (await browser).close();
  browser = null;
});

export interface PageOptions {
  viewport?: { width: number; height: number };
}

/** A page in a fresh browser context; closed when the test ends, screenshot if it failed. */
export async function newPage(options: PageOptions = {}): Promise<Page> {
  const context: BrowserContext = await (await sharedBrowser()).newContext({ viewport: options.viewport ?? { width: 1280, height: 800 } });
  const page = await context.newPage();
  // Generous: the machine's two cores are shared with other test runs.
  page.setDefaultTimeout(30_000);
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(String(error)));
  // One hook for both: onTestFinished runs before onTestFailed, so a separate failure hook
  // would find the context already closed.
  onTestFinished(async ({ task }) => {
    if (task.result?.state === 'fail') {
      const name = `FAILED-${task.name.replace(/[^\w-]+/g, '_').slice(0, 80)}-${randomUUID().slice(0, 4)}`;
      await shot(page, name).catch(() => undefined);
      if (errors.length) console.error(`page errors in ${task.name}:\n${errors.join('\n')}`);
    }
    await context.close().catch(() => undefined);
  });
  return page;
}

export async function shot(page: Page, name: string): Promise<string> {
  mkdirSync(RESULTS, { recursive: true });
  const path = join(RESULTS, `${name}.png`);
  await page.screenshot({ path, fullPage: false });
  return path;
}

export interface TestUser {
  id: string;
  email: string;
  display_name: string;
  password: string;
  token: string;
}

let counter = 0;

export function uniqueEmail(prefix = 'player'): string {
  counter += 1;
  return `${prefix}-${Date.now().toString(36)}-${counter}-${randomUUID().slice(0, 6)}@example.com`;
}

/** An account made over HTTP (fast), logged in as the first stop of a fixture. */
export async function newUser(email = uniqueEmail(), displayName?: string): Promise<TestUser> {
  const display_name = displayName ?? email.split('@')[0].slice(0, 40);
  const created = await fetch(`${BASE_URL}/auth/register`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email, password: PASSWORD, display_name }) });
  if (created.status !== 201) throw new Error(`register ${email}: ${created.status} ${await created.text()}`);
  const login = await fetch(`${BASE_URL}/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email, password: PASSWORD }) });
  if (!login.ok) throw new Error(`login ${email}: ${login.status} ${await login.text()}`);
  const body = (await login.json()) as { access_token: string; user: { id: string } };
  return { id: body.user.id, email, display_name, password: PASSWORD, token: body.access_token };
}

/** Log `user` (or a new account) in to `page` the way the app does: its session in localStorage. */
export async function registerAndLogin(page: Page, email?: string): Promise<TestUser> {
  const user = await newUser(email);
  await loginAs(page, user);
  return user;
}

export async function loginAs(page: Page, user: TestUser): Promise<void> {
  if (!page.url().startsWith(BASE_URL)) await page.goto(`${BASE_URL}/login`);
  await page.evaluate(
    ([session]) => localStorage.setItem('catachess.session', session),
    [JSON.stringify({ token: user.token, user: { id: user.id, email: user.email, display_name: user.display_name } })],
  );
}

export interface ApiClient {
  get<T = any>(path: string): Promise<T>;
  post<T = any>(path: string, body?: unknown): Promise<T>;
  patch<T = any>(path: string, body: unknown, version?: number): Promise<T>;
  delete<T = any>(path: string, version?: number): Promise<T>;
}

/** Fixtures over HTTP as `user` (each write with its own Idempotency-Key); throws on non-2xx. */
export function apiAs(user: TestUser): ApiClient {
  const call = async (method: string, path: string, body?: unknown, version?: number) => {
    const headers: Record<string, string> = { Authorization: `Bearer ${user.token}`, Accept: 'application/json' };
    if (method !== 'GET' && !path.endsWith('/share-links')) headers['Idempotency-Key'] = randomUUID();
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (version !== undefined) headers['If-Match'] = `"${version}"`;
    const response = await fetch(`${BASE_URL}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  };
  return {
    get: (path) => call('GET', path),
    post: (path, body) => call('POST', path, body),
    patch: (path, body, version) => call('PATCH', path, body, version),
    delete: (path, version) => call('DELETE', path, undefined, version),
  };
}
