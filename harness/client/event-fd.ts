import type { Readable, Writable } from 'node:stream';
import { createInterface } from 'node:readline';
import type { ClientEventType } from '../journal/events.js';

/**
 * The optional event channel of an exec client: NDJSON on file descriptor 3, one event per line,
 * in the journal's own vocabulary (`{"type":"lock_acquired","lockPath":...}`). The runner stamps
 * `t`, `layout` and `worker` itself, so a client cannot misplace its events in time or claim to
 * be another container. Lines that are not JSON objects of a known type are counted as rejected,
 * never passed on; past `maxEvents` the rest are dropped, so a flood cannot drown the journal.
 */
export const EVENT_FD = 3;

const ACCEPTED: ReadonlySet<ClientEventType> = new Set<ClientEventType>([
  'lock_acquiring',
  'lock_retry',
  'lock_acquired',
  'lock_released',
  'lock_race_resolved',
  'lock_retry_limit_reached',
  'lock_compromised',
  'refresh_start',
  'refresh_ok',
  'invalid_grant',
  'refresh_error',
  'relogin',
  'api_ok',
  'api_unauthorized',
  'api_error',
]);

/** Fields the runner owns; a client's values for them are replaced. */
const STAMPED = ['t', 'layout', 'worker'];

export class EventFdReader {
  readonly #done: Promise<void>;
  #accepted = 0;
  #overLimitReported = false;

  constructor(
    stream: Readable | Writable | null | undefined,
    readonly maxEvents: number,
    readonly emit: (event: Record<string, unknown>) => void,
  ) {
    if (!stream || !('read' in stream)) {
      this.#done = Promise.resolve();
      return;
    }
    const lines = createInterface({ input: stream as Readable, crlfDelay: Infinity });
    lines.on('line', (line) => this.#take(line));
    this.#done = new Promise((resolve) => lines.on('close', () => resolve()));
  }

  /** Resolves once the command closed its end of the descriptor (at the latest when it exits). */
  drained(): Promise<void> {
    return this.#done;
  }

  #take(line: string): void {
    if (line.trim() === '') return;
    if (this.#accepted >= this.maxEvents) {
      if (!this.#overLimitReported) this.emit({ type: 'client_event_rejected', reason: 'over_limit' });
      this.#overLimitReported = true;
      return;
    }
    let event: unknown;
    try {
      event = JSON.parse(line);
    } catch {
      this.emit({ type: 'client_event_rejected', reason: 'unparseable' });
      return;
    }
    if (typeof event !== 'object' || event === null || Array.isArray(event)) {
      this.emit({ type: 'client_event_rejected', reason: 'unparseable' });
      return;
    }
    const type = (event as { type?: unknown }).type;
    if (typeof type !== 'string' || !ACCEPTED.has(type as ClientEventType)) {
      this.emit({ type: 'client_event_rejected', reason: 'unknown_type' });
      return;
    }
    this.#accepted += 1;
    const fields = Object.fromEntries(Object.entries(event).filter(([key]) => !STAMPED.includes(key)));
    this.emit(fields);
  }
}
