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

  constructor(filePath: string | null) {
    this.#stream = filePath ? createWriteStream(filePath, { flags: 'a' }) : null;
  }

  append(event: JournalEvent): void {
    this.events.push(event);
    this.#stream?.write(JSON.stringify(event) + '\n');
  }

  async close(): Promise<void> {
    if (!this.#stream || this.#stream.closed) return;

    this.#stream.end();
    await once(this.#stream, 'close');
  }
}
