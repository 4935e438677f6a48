import { afterEach, beforeEach, expect, test, vi } from 'vitest';
import { api, ApiError, etagOf, newAction, withQuery } from '../../src/api';
import { Submission } from '../../src/actions';

type Call = { url: string; init: RequestInit };
let calls: Call[] = [];

function respond(...answers: (Response | Error)[]) {
  calls = [];
  vi.stubGlobal('fetch', async (url: string, init: RequestInit) => {
    calls.push({ url, init });
    const answer = answers.shift();
    if (!answer) throw new Error('no more answers');
    if (answer instanceof Error) throw answer;
    return answer;
  });
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': status >= 400 ? 'application/problem+json' : 'application/json', ...headers } });
const header = (call: Call, name: string) => (call.init.headers as Record<string, string>)[name];

beforeEach(() => vi.useFakeTimers());
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

test('a bare version becomes the quoted ETag the server sends; an ETag stays as it is', () => {
  expect(etagOf(3)).toBe('"3"');
  expect(etagOf('12')).toBe('"12"');
  expect(etagOf('"7"')).toBe('"7"');
  expect(etagOf('W/"7"')).toBe('W/"7"');
  expect(etagOf(null)).toBeNull();
});

test('query parameters skip empty values', () => {
  expect(withQuery('/trash', { cursor: null, limit: 50, x: undefined })).toBe('/trash?limit=50');
  expect(withQuery('/a?b=1', { c: true })).toBe('/a?b=1&c=true');
});

test('every write carries an Idempotency-Key, the action’s when given, and If-Match', async () => {
  const action = newAction();
  respond(json(200, { id: 'n1' }, { ETag: '"4"' }), json(201, {}));
  const first = await api<{ id: string }>('PATCH', '/nodes/n1', { body: { name: 'x' }, ifMatch: 3, action });
  await api('POST', '/nodes', { body: {} });
  expect(first).toMatchObject({ data: { id: 'n1' }, etag: '"4"', status: 200 });
  expect(header(calls[0], 'Idempotency-Key')).toBe(action.key);
  expect(header(calls[0], 'If-Match')).toBe('"3"');
  expect(calls[0].init.body).toBe('{"name":"x"}');
  expect(header(calls[1], 'Idempotency-Key')).toMatch(/^[0-9a-f-]{32,36}$/);
  expect(header(calls[1], 'Idempotency-Key')).not.toBe(action.key);
});

test('reads carry no Idempotency-Key', async () => {
  respond(json(200, { items: [] }));
  await api('GET', '/workspaces');
  expect(header(calls[0], 'Idempotency-Key')).toBeUndefined();
});

test('a dropped connection is retried with the same key', async () => {
  respond(new TypeError('Failed to fetch'), json(201, { id: 'f' }));
  const pending = api('POST', '/nodes', { body: { kind: 'folder' } });
  await vi.runAllTimersAsync();
  await expect(pending).resolves.toMatchObject({ status: 201 });
  expect(calls).toHaveLength(2);
  expect(header(calls[1], 'Idempotency-Key')).toBe(header(calls[0], 'Idempotency-Key'));
});

test('a write refused keys (login) is not retried after a dropped connection', async () => {
  respond(new TypeError('Failed to fetch'));
  const pending = api('POST', '/auth/login', { body: {}, noKey: true });
  const failed = expect(pending).rejects.toMatchObject({ status: 0, code: 'network' });
  await vi.runAllTimersAsync();
  await failed;
  expect(calls).toHaveLength(1);
  expect(header(calls[0], 'Idempotency-Key')).toBeUndefined();
});

test('409 with Retry-After waits that long and asks again with the same key', async () => {
  const inFlight = json(409, { code: 'request_in_flight', detail: 'still running' }, { 'Retry-After': '1' });
  respond(inFlight, json(201, { id: 'f' }, { 'Idempotent-Replayed': 'true' }));
  const pending = api('POST', '/nodes', { body: {} });
  await vi.advanceTimersByTimeAsync(999);
  expect(calls).toHaveLength(1);
  await vi.advanceTimersByTimeAsync(1);
  await expect(pending).resolves.toMatchObject({ status: 201 });
  expect(header(calls[1], 'Idempotency-Key')).toBe(header(calls[0], 'Idempotency-Key'));
});

test('problem+json becomes an ApiError with the detail to show', async () => {
  respond(json(422, { code: 'validation_failed', title: 'Invalid request', detail: 'name: too long' }));
  const error = await api('POST', '/nodes', { body: {} }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ApiError);
  expect(error).toMatchObject({ status: 422, code: 'validation_failed', title: 'Invalid request', detail: 'name: too long', message: 'name: too long' });
});

test('a Submission keeps its key until the action succeeded or was refused', () => {
  const submission = new Submission();
  const first = submission.action.key;
  submission.settled(new ApiError(0, { detail: 'offline' }));
  expect(submission.action.key).toBe(first);
  submission.settled(new ApiError(422, { detail: 'bad name' }));
  const second = submission.action.key;
  expect(second).not.toBe(first);
  submission.settled();
  expect(submission.action.key).not.toBe(second);
});
