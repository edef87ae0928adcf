import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { TokenraceError } from '../errors.js';
import type { JournalEvent } from './events.js';

/** The journal's file name inside a report directory. */
export const JOURNAL_FILE = 'events.ndjson';

/** A run directory or an events.ndjson file → the journal file's path. */
export async function locateJournal(given: string): Promise<string> {
  const resolved = path.resolve(given);
  const info = await stat(resolved).catch((error: NodeJS.ErrnoException) => {
    throw new TokenraceError('ERR_JOURNAL_UNREADABLE', `journal: got ${JSON.stringify(given)}, expected a run directory or an events.ndjson file (${error.code})`, { cause: error });
  });
  return info.isDirectory() ? path.join(resolved, JOURNAL_FILE) : resolved;
}

/**
 * Reads a journal back. Every line must be a JSON object with a numeric `t` and a `type`; the
 * first line that is not names its number. A last line cut off mid-write (the run was killed)
 * is the one exception: it is dropped, since everything before it is intact.
 */
export async function readJournal(file: string): Promise<JournalEvent[]> {
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new TokenraceError('ERR_JOURNAL_UNREADABLE', `journal: cannot read ${JSON.stringify(file)} (${error.code})`, { cause: error });
  });
  const lines = text.split('\n');
  const events: JournalEvent[] = [];
  for (const [index, line] of lines.entries()) {
    if (line.trim() === '') continue;

    const event = parseLine(line);
    const isLast = index === lines.length - 1;
    if (event) events.push(event);
    else if (!isLast) {
      throw new TokenraceError('ERR_JOURNAL_UNREADABLE', `journal line ${index + 1}: got ${JSON.stringify(line.slice(0, 60))}, expected a JSON event with t and type`);
    }
  }
  return events;
}

function parseLine(line: string): JournalEvent | null {
  try {
    const value = JSON.parse(line) as Partial<JournalEvent> | null;
    if (typeof value !== 'object' || value === null) return null;
    return typeof value.t === 'number' && typeof value.type === 'string' ? (value as JournalEvent) : null;
  } catch {
    return null;
  }
}
