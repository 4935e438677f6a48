// The study stream client: SSE parsing across chunk boundaries, resume with Last-Event-ID,
// backoff, `reset`, and the closing reasons that end it for good.

import { describe, expect, test } from 'vitest';
import { ApiError } from '../../../../src/api';
import { LiveStream, parseChunks, type StreamMessage } from '../../../../src/study/live/stream';

/** A response whose body the test writes to. */
function scripted(): { response: Response; send(text: string): void; end(): void } {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const body = new ReadableStream<Uint8Array>({ start: (c) => void (controller = c) });
  const encoder = new TextEncoder();
  return {
    response: new Response(body, { headers: { 'Content-Type': 'text/event-stream' } }),
    send: (text) => controller.enqueue(encoder.encode(text)),
    end: () => controller.close(),
  };
}

function event(id: number, type = 'chapter.move_added', data: unknown = { n: id }): string {
  return `id: ${id}\nevent: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
}

function until(check: () => boolean, ms = 2000): Promise<void> {
  const start = Date.now();
  return new Promise((resolve, reject) => {
    const tick = () => {
      if (check()) resolve();
      else if (Date.now() - start > ms) reject(new Error('timed out'));
      else setTimeout(tick, 2);
    };
    tick();
  });
}

function notFound(): ApiError {
  return new ApiError(404, { detail: 'node not found' });
}

describe('parseChunks', () => {
  test('events split anywhere across chunks come out whole, in order, with JSON data', () => {
    const parser = parseChunks();
    const text = `retry: 1000\n: subscribed at 5\n\n${event(6)}${event(7, 'chapter.comment_set')}: heartbeat\n\n`;
    const out: StreamMessage[] = [];
    for (let i = 0; i < text.length; i += 7) out.push(...parser.feed(text.slice(i, i + 7)));
    expect(out).toEqual([
      { type: 'chapter.move_added', id: '6', data: { n: 6 } },
      { type: 'chapter.comment_set', id: '7', data: { n: 7 } },
    ]);
  });

  test('CRLF line ends, an event without id (presence) and a non-JSON payload', () => {
    const parser = parseChunks();
    const out = parser.feed('event: presence\r\ndata: {"viewers":[],"anonymous":2}\r\n\r\nevent: x\r\ndata: plain\r\n\r\n');
    expect(out).toEqual([
      { type: 'presence', id: undefined, data: { viewers: [], anonymous: 2 } },
      { type: 'x', id: undefined, data: 'plain' },
    ]);
  });
});

describe('LiveStream', () => {
  test('reconnects after the connection ends, from the last position, and presence does not move it', async () => {
    const opened: (string | null)[] = [];
    const bodies = [scripted(), scripted()];
    const got: StreamMessage[] = [];
    const waits: number[] = [];
    const stream = new LiveStream(
      async (last) => {
        opened.push(last);
        return bodies[opened.length - 1].response;
      },
      { message: (m) => void got.push(m), reset: () => undefined, ended: () => undefined },
      { sleep: async (ms) => void waits.push(ms) },
    );
    void stream.start('3');
    await until(() => opened.length === 1);
    bodies[0].send(event(4) + event(5));
    bodies[0].send('event: presence\ndata: {"viewers":[],"anonymous":0}\n\n');
    await until(() => got.length === 3);
    bodies[0].end();
    await until(() => opened.length === 2);
    bodies[1].send(event(6));
    await until(() => got.length === 4);
    stream.stop();
    expect(opened).toEqual(['3', '5']);
    expect(got.map((m) => m.id)).toEqual(['4', '5', undefined, '6']);
    expect(waits).toEqual([1000]);
  });

  test('access_revoked and study_trashed end it for good; server_shutdown and queue_full reconnect', async () => {
    for (const [reason, final] of [
      ['access_revoked', true],
      ['study_trashed', true],
      ['server_shutdown', false],
      ['queue_full', false],
    ] as const) {
      const body = scripted();
      let opens = 0;
      const ended: string[] = [];
      const stream = new LiveStream(
        async () => {
          opens += 1;
          return opens === 1 ? body.response : scripted().response;
        },
        { message: () => undefined, reset: () => undefined, ended: (r) => void ended.push(r) },
        { sleep: async () => undefined },
      );
      const done = stream.start();
      await until(() => opens === 1);
      body.send(`event: closed\ndata: {"reason": "${reason}"}\n\n`);
      if (final) {
        await done;
        expect([ended, opens]).toEqual([[reason], 1]);
      } else {
        await until(() => opens === 2);
        stream.stop();
        expect(ended).toEqual([]);
      }
    }
  });

  test('reset asks for a reload and resumes from the position it names', async () => {
    const bodies = [scripted(), scripted()];
    const opened: (string | null)[] = [];
    const resets: string[] = [];
    const stream = new LiveStream(
      async (last) => {
        opened.push(last);
        return bodies[opened.length - 1].response;
      },
      { message: () => undefined, reset: (p) => void resets.push(p), ended: () => undefined },
      { sleep: async () => undefined },
    );
    void stream.start('1');
    await until(() => opened.length === 1);
    bodies[0].send('id: 900\nevent: reset\ndata: {"reason":"too_far_behind","position":900}\n\n');
    await until(() => resets.length === 1);
    bodies[0].end();
    await until(() => opened.length === 2);
    stream.stop();
    expect(resets).toEqual(['900']);
    expect(opened).toEqual(['1', '900']);
  });

  test('failures back off longer each time until one connection succeeds; 404 ends it', async () => {
    const waits: number[] = [];
    let attempt = 0;
    const ended: string[] = [];
    const stream = new LiveStream(
      async () => {
        attempt += 1;
        if (attempt <= 3) throw new ApiError(0, { detail: 'offline' });
        if (attempt === 4) {
          const body = scripted();
          body.end();
          return body.response;
        }
        throw notFound();
      },
      { message: () => undefined, reset: () => undefined, ended: (r) => void ended.push(r) },
      { sleep: async (ms) => void waits.push(ms) },
    );
    await stream.start();
    expect(waits).toEqual([1000, 2000, 5000, 1000]);
    expect(ended).toEqual(['not_found']);
  });

  test('a connection silent for longer than two heartbeats is dropped and reopened', async () => {
    const opened: (string | null)[] = [];
    const silent = scripted();
    const stream = new LiveStream(
      async (last) => {
        opened.push(last);
        return opened.length === 1 ? silent.response : scripted().response;
      },
      { message: () => undefined, reset: () => undefined, ended: () => undefined },
      { sleep: async () => undefined, silenceMs: 30 },
    );
    void stream.start('8');
    await until(() => opened.length === 2);
    stream.stop();
    expect(opened).toEqual(['8', '8']);
  });
});
