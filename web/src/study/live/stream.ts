// A study stream read with fetch (EventSource cannot send the bearer token): SSE parsed
// by eventsource-parser, reconnected with Last-Event-ID and a growing backoff, so the
// page receives every event of the log once and in order (docs/live.md).
//
// `closed` ends the stream for good when the reader lost the study (access_revoked,
// study_trashed); any other ending (queue_full, server_shutdown, a dropped connection,
// silence longer than two heartbeats) reconnects from the last position received.

import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { ApiError } from '../../api';

export interface StreamMessage {
  /** The SSE `event:` (the event type, `reset`, `closed`, `presence`). */
  type: string;
  /** The SSE `id:`: a position in the event log (absent on presence messages). */
  id?: string;
  data: unknown;
}

export type StreamState = 'connecting' | 'live' | 'retrying' | 'ended';

export interface StreamHandlers {
  /** An event of the log, or a presence list. Awaited: messages are handled in order. */
  message(msg: StreamMessage): void | Promise<void>;
  /** The page was away too long (or the position is unknown): reload everything. */
  reset(position: string): void | Promise<void>;
  /** The stream ended for good: `access_revoked`, `study_trashed`, `not_found`, `unauthorized`. */
  ended(reason: string): void;
  state?(state: StreamState): void;
}

/** Opens the stream after a position (api.ts's apiStream). */
export type Opener = (lastEventId: string | null, signal: AbortSignal) => Promise<Response>;

/** Closing reasons after which reconnecting cannot help. */
export const FINAL_REASONS = new Set(['access_revoked', 'study_trashed']);
/** Waits before reconnecting, in ms, after 1, 2, 3… failures in a row (then the last). */
export const BACKOFF_MS = [1000, 2000, 5000, 10000, 15000];
/** No byte for this long (two heartbeats of 15 s and some) means the connection is dead. */
export const SILENCE_MS = 40_000;

export interface StreamOptions {
  backoff?: number[];
  silenceMs?: number;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

/** What one chunk of the stream said, in order. */
export function parseChunks(): { feed(chunk: string): StreamMessage[]; reset(): void } {
  let out: StreamMessage[] = [];
  const parser = createParser({
    onEvent(event: EventSourceMessage) {
      let data: unknown = event.data;
      try {
        data = JSON.parse(event.data);
      } catch {
        // Not JSON: keep the text.
      }
      out.push({ type: event.event ?? 'message', id: event.id, data });
    },
  });
  return {
    feed(chunk: string) {
      parser.feed(chunk);
      const parsed = out;
      out = [];
      return parsed;
    },
    reset() {
      parser.reset();
      out = [];
    },
  };
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

export class LiveStream {
  lastEventId: string | null = null;
  private controller = new AbortController();
  private running: Promise<void> | null = null;
  private readonly backoff: number[];
  private readonly silenceMs: number;
  private readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;

  constructor(
    private readonly open: Opener,
    private readonly handlers: StreamHandlers,
    opts: StreamOptions = {},
  ) {
    this.backoff = opts.backoff ?? BACKOFF_MS;
    this.silenceMs = opts.silenceMs ?? SILENCE_MS;
    this.sleep = opts.sleep ?? abortableSleep;
  }

  /** Follow the stream from `after` (a position), or from now. */
  start(after: string | null = null): Promise<void> {
    this.lastEventId = after;
    this.running ??= this.run();
    return this.running;
  }

  stop(): void {
    this.controller.abort();
  }

  get stopped(): boolean {
    return this.controller.signal.aborted;
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      this.handlers.state?.(failures ? 'retrying' : 'connecting');
      let outcome: 'again' | 'final' = 'again';
      try {
        const response = await this.open(this.lastEventId, this.controller.signal);
        this.handlers.state?.('live');
        failures = 0;
        outcome = await this.read(response);
      } catch (error) {
        if (this.stopped) break;
        if (error instanceof ApiError && (error.status === 404 || error.status === 401 || error.status === 403)) {
          this.end(error.status === 401 ? 'unauthorized' : 'not_found');
          break;
        }
        if (error instanceof ApiError && error.status === 422) this.lastEventId = null; // a position it does not know
      }
      if (outcome === 'final' || this.stopped) break;
      failures += 1;
      this.handlers.state?.('retrying');
      await this.sleep(this.backoff[Math.min(failures - 1, this.backoff.length - 1)], this.controller.signal);
    }
    this.handlers.state?.('ended');
  }

  private end(reason: string): void {
    this.controller.abort();
    this.handlers.ended(reason);
  }

  /** Read one connection to its end: 'final' when the stream may not be resumed. */
  private async read(response: Response): Promise<'again' | 'final'> {
    if (!response.body) return 'again';
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    const parser = parseChunks();
    let watchdog: ReturnType<typeof setTimeout> | undefined;
    const quiet = () => {
      clearTimeout(watchdog);
      watchdog = setTimeout(() => void reader.cancel().catch(() => undefined), this.silenceMs);
    };
    const onAbort = () => void reader.cancel().catch(() => undefined);
    this.controller.signal.addEventListener('abort', onAbort);
    try {
      for (;;) {
        quiet();
        const { done, value } = await reader.read();
        if (done || this.stopped) return 'again';
        for (const msg of parser.feed(decoder.decode(value, { stream: true }))) {
          if (this.stopped) return 'final';
          if (msg.type === 'closed') {
            const reason = String((msg.data as { reason?: unknown } | null)?.reason ?? '');
            if (FINAL_REASONS.has(reason)) {
              this.end(reason);
              return 'final';
            }
            void reader.cancel().catch(() => undefined);
            return 'again';
          }
          if (msg.id !== undefined) this.lastEventId = msg.id;
          if (msg.type === 'reset') await this.handlers.reset(msg.id ?? '');
          else await this.handlers.message(msg);
        }
      }
    } catch {
      return 'again';
    } finally {
      clearTimeout(watchdog);
      this.controller.signal.removeEventListener('abort', onAbort);
    }
  }
}
