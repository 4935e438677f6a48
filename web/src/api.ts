// The one HTTP client of the app: no `fetch` anywhere else.
// It adds the bearer token, the Idempotency-Key of the user action on every write,
// If-Match (the server's ETags are quoted versions: "3"), retries the same action after a
// dropped connection or a 409 "still running" (waiting Retry-After), and turns
// application/problem+json into ApiError. A 401 on an authenticated request ends the
// session and sends the user to /login.
import { currentToken, expireSession } from './session';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
export type Query = Record<string, string | number | boolean | undefined | null | readonly string[]>;

export class ApiError extends Error {
  status: number;
  code: string;
  title: string;
  detail: string;
  problem: Record<string, unknown>;
  retryAfter: number | null;

  constructor(status: number, problem: Record<string, unknown>, retryAfter: number | null = null) {
    const detail = typeof problem.detail === 'string' ? problem.detail : `request failed (${status})`;
    super(detail);
    this.name = 'ApiError';
    this.status = status;
    this.code = typeof problem.code === 'string' ? problem.code : `http_${status}`;
    this.title = typeof problem.title === 'string' ? problem.title : detail;
    this.detail = detail;
    this.problem = problem;
    this.retryAfter = retryAfter;
  }
}

export interface ApiResponse<T> {
  data: T;
  etag: string | null;
  status: number;
  headers: Headers;
}

/** One user action (a click, a submitted form): its retries share one Idempotency-Key. */
export interface UserAction {
  readonly key: string;
}

export function newAction(): UserAction {
  return { key: randomKey() };
}

export interface RequestOptions {
  body?: unknown;
  rawBody?: BodyInit;
  contentType?: string;
  ifMatch?: string | number | null;
  action?: UserAction;
  query?: Query;
  /** Send no Idempotency-Key: for the writes the server refuses keys on (login and
   * share-link creation answer secrets it never stores). They are not retried. */
  noKey?: boolean;
}

/** Attempts after a dropped connection, and after a 409 "still running", per call. */
export const NETWORK_ATTEMPTS = 4;
export const IN_FLIGHT_ATTEMPTS = 10;
const NETWORK_BACKOFF_MS = [300, 1000, 2000];

/** Status 0: the server could not be reached (after the retries). */
export const NETWORK_ERROR = 0;

export async function api<T>(method: Method, path: string, opts: RequestOptions = {}): Promise<ApiResponse<T>> {
  const write = method !== 'GET';
  const action = write && !opts.noKey ? (opts.action ?? newAction()) : undefined;
  const token = currentToken();
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (action) headers['Idempotency-Key'] = action.key;
  const ifMatch = etagOf(opts.ifMatch);
  if (ifMatch) headers['If-Match'] = ifMatch;
  let body: BodyInit | undefined;
  if (opts.rawBody !== undefined) {
    body = opts.rawBody;
    if (opts.contentType) headers['Content-Type'] = opts.contentType;
  } else if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers['Content-Type'] = opts.contentType ?? 'application/json';
  }
  const url = withQuery(path, opts.query);

  let networkFailures = 0;
  let inFlight = 0;
  for (;;) {
    let response: Response;
    try {
      response = await fetch(url, { method, headers, body });
    } catch (error) {
      // The request may or may not have reached the server: the same key makes a retry safe.
      networkFailures += 1;
      if (networkFailures >= NETWORK_ATTEMPTS || (write && !action)) {
        throw new ApiError(NETWORK_ERROR, {
          code: 'network',
          title: 'Network error',
          detail: 'The server could not be reached. Check your connection and try again.',
          cause: String(error),
        });
      }
      await sleep(NETWORK_BACKOFF_MS[Math.min(networkFailures - 1, NETWORK_BACKOFF_MS.length - 1)]);
      continue;
    }
    if (response.ok) return { data: await readBody<T>(response), etag: response.headers.get('ETag'), status: response.status, headers: response.headers };
    const error = await toError(response);
    if (response.status === 409 && error.retryAfter !== null && action && inFlight < IN_FLIGHT_ATTEMPTS) {
      // The first request with this key is still running: wait, then get its result.
      inFlight += 1;
      await sleep(error.retryAfter * 1000);
      continue;
    }
    if (response.status === 401 && token) expireSession();
    throw error;
  }
}

/** A text body (e.g. a PGN download). */
export async function apiText(path: string, query?: Query): Promise<string> {
  const token = currentToken();
  const headers: Record<string, string> = {};
  if (token) headers.Authorization = `Bearer ${token}`;
  let response: Response;
  try {
    response = await fetch(withQuery(path, query), { headers });
  } catch (error) {
    throw new ApiError(NETWORK_ERROR, { code: 'network', title: 'Network error', detail: 'The server could not be reached.', cause: String(error) });
  }
  if (!response.ok) {
    const error = await toError(response);
    if (response.status === 401 && token) expireSession();
    throw error;
  }
  return response.text();
}

/** The If-Match value for a version or an ETag: a bare version number gets the quotes. */
export function etagOf(value: string | number | null | undefined): string | null {
  if (value === null || value === undefined || value === '') return null;
  const text = String(value).trim();
  return /^\d+$/.test(text) ? `"${text}"` : text;
}

export function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    // An array repeats the parameter (`kind=node&kind=chapter`).
    if (Array.isArray(value)) for (const item of value) params.append(name, item);
    else if (value !== undefined && value !== null) params.set(name, String(value));
  }
  const text = params.toString();
  return text ? `${path}${path.includes('?') ? '&' : '?'}${text}` : path;
}

async function readBody<T>(response: Response): Promise<T> {
  if (response.status === 204) return undefined as T;
  const type = response.headers.get('Content-Type') ?? '';
  if (type.includes('json')) return (await response.json()) as T;
  return (await response.text()) as T;
}

async function toError(response: Response): Promise<ApiError> {
  const header = response.headers.get('Retry-After');
  const retryAfter = header !== null && /^\d+$/.test(header.trim()) ? Number(header) : null;
  const type = response.headers.get('Content-Type') ?? '';
  let problem: Record<string, unknown> = {};
  try {
    if (type.includes('json')) {
      const parsed: unknown = await response.json();
      if (parsed && typeof parsed === 'object') problem = parsed as Record<string, unknown>;
    } else {
      const text = (await response.text()).trim();
      if (text) problem = { detail: text.slice(0, 500) };
    }
  } catch {
    // A body we cannot read still leaves the status.
  }
  if (typeof problem.detail !== 'string') problem = { ...problem, detail: `${response.status} ${response.statusText || 'error'}`.trim() };
  return new ApiError(response.status, problem, retryAfter);
}

function randomKey(): string {
  const crypto = globalThis.crypto;
  if (crypto && typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  // randomUUID needs a secure context (https or localhost); getRandomValues does not.
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Open a Server-Sent Events stream (EventSource cannot send the bearer token): the
 * response once its headers arrived, its body still streaming; problem+json → ApiError.
 * The caller reads the body (study/live/stream.ts) and reconnects itself.
 */
export async function apiStream(path: string, opts: { lastEventId?: string | null; signal?: AbortSignal } = {}): Promise<Response> {
  const token = currentToken();
  const headers: Record<string, string> = { Accept: 'text/event-stream' };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (opts.lastEventId) headers['Last-Event-ID'] = opts.lastEventId;
  let response: Response;
  try {
    response = await fetch(path, { headers, signal: opts.signal, cache: 'no-store' });
  } catch (error) {
    if (opts.signal?.aborted) throw error;
    throw new ApiError(NETWORK_ERROR, { code: 'network', title: 'Network error', detail: 'The server could not be reached.', cause: String(error) });
  }
  if (!response.ok) {
    const error = await toError(response);
    if (response.status === 401 && token) expireSession();
    throw error;
  }
  return response;
}

/** A write that must outlive the page (sent on pagehide): not retried, no answer read. */
export function apiKeepalive(method: Method, path: string): void {
  const token = currentToken();
  const headers: Record<string, string> = {};
  if (token) headers.Authorization = `Bearer ${token}`;
  fetch(path, { method, headers, keepalive: true }).catch(() => undefined);
}
