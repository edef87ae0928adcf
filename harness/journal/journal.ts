import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import type { JournalEvent } from './events.js';

/**
 * The run's journal: every event appended to `events.ndjson` as it happens, and kept in memory
 * so counters and verdicts can be computed at the end without re-reading the file. Reports are
 * functions of this list alone.
 */
export class Journal {
  readonly events: JournalEvent[] = [];
  readonly #stream: WriteStream | null;
  readonly #onAppend: ((event: JournalEvent) => void) | undefined;

  /** `onAppend` sees every event as it is appended (the terminal's progress line). */
  constructor(filePath: string | null, onAppend?: (event: JournalEvent) => void) {
    this.#stream = filePath ? createWriteStream(filePath, { flags: 'a' }) : null;
    this.#onAppend = onAppend;
  }

  append(event: JournalEvent): void {
    this.events.push(event);
    this.#stream?.write(JSON.stringify(event) + '\n');
    this.#onAppend?.(event);
  }

  async close(): Promise<void> {
    if (!this.#stream || this.#stream.closed) return;

    this.#stream.end();
    await once(this.#stream, 'close');
  }
}
