import type { JournalEvent, LayoutName, LedgerEvent } from '../journal/events.js';

/**
 * Shapes the checkers share, read out of one layout's slice of the journal: lock holds and
 * refresh attempts per worker. Pure functions of the events; nothing here knows which client
 * or scenario produced them, only the event vocabulary.
 */
export type WorkerJournalEvent = Extract<JournalEvent, { worker: number; type: string }>;

/** One layout's events in clock order (ties keep journal order, which is arrival order). */
export function layoutHistory(events: readonly JournalEvent[], layout: LayoutName): JournalEvent[] {
  return events
    .map((event, index) => ({ event, index }))
    .filter(({ event }) => event.layout === layout)
    .sort((a, b) => a.event.t - b.event.t || a.index - b.index)
    .map(({ event }) => event);
}

export function ledgerEntries(history: readonly JournalEvent[]): LedgerEvent[] {
  return history.filter((event): event is LedgerEvent => event.type === 'ledger');
}

/** A span of time one worker held a lock, from `lock_acquired` to `lock_releasing`. */
export interface Hold {
  worker: number;
  location: string;
  lockPath: string;
  start: number;
  /** End of the hold; the layout's end when the holder never let go in the journal. */
  end: number;
  open: boolean;
}

export function extractHolds(history: readonly JournalEvent[]): Hold[] {
  // Keyed by worker and location: a client may hold several locks at once (a lock set).
  const open = new Map<string, Hold>();
  const holds: Hold[] = [];
  const close = (key: string, t: number) => {
    const hold = open.get(key);
    if (!hold) return;

    hold.end = t;
    hold.open = false;
    open.delete(key);
  };
  for (const event of history) {
    if (event.type === 'lock_acquired') {
      const key = `${event.worker}|${event.lockLocation}`;
      close(key, event.t);
      const hold = { worker: event.worker, location: event.lockLocation, lockPath: event.lockPath, start: event.t, end: event.t, open: true };
      open.set(key, hold);
      holds.push(hold);
    }
    // A hold ends at the first of `lock_releasing` and `lock_released`; the built-in client
    // emits `lock_released` before it lets go, so either is inside the real hold.
    if (event.type === 'lock_releasing' || event.type === 'lock_released') {
      close(`${event.worker}|${event.lockLocation}`, event.t);
    }
  }
  const lastT = history.at(-1)?.t ?? 0;
  for (const hold of open.values()) hold.end = lastT;
  return holds;
}

export type AttemptOutcome = 'refreshed' | 'adopted' | 'invalid_grant' | 'error' | 'gave_up' | 'open';

/**
 * One worker's try at getting a fresh token: from `lock_acquiring` (or, for a client that takes
 * no lock, from `refresh_start`) to the end of the lock or the refresh's answer.
 */
export interface Attempt {
  worker: number;
  start: number;
  end: number;
  /** The refresh token the worker set out to replace; null when the journal never says. */
  token: string | null;
  outcome: AttemptOutcome;
  invalidGrants: number;
}

export function extractAttempts(history: readonly JournalEvent[]): Attempt[] {
  type OpenAttempt = Attempt & { locked: boolean };
  const open = new Map<number, OpenAttempt>();
  const attempts: OpenAttempt[] = [];
  const begin = (worker: number, t: number, token: string | null, locked: boolean) => {
    const attempt: OpenAttempt = { worker, start: t, end: t, token, outcome: 'open', invalidGrants: 0, locked };
    open.set(worker, attempt);
    attempts.push(attempt);
    return attempt;
  };
  const finish = (worker: number, t: number) => {
    const attempt = open.get(worker);
    if (!attempt) return;

    attempt.end = t;
    open.delete(worker);
  };

  for (const event of history) {
    if (!('worker' in event) || event.worker === null || event.type === 'ledger') continue;

    const current = open.get(event.worker);
    switch (event.type) {
      case 'lock_acquiring':
        finish(event.worker, event.t);
        begin(event.worker, event.t, event.planned ?? null, true);
        break;
      case 'lock_race_resolved':
        if (current) {
          current.token ??= event.planned;
          current.outcome = 'adopted';
        }
        break;
      case 'refresh_start': {
        const attempt = current ?? begin(event.worker, event.t, event.presented, false);
        attempt.token ??= event.presented;
        break;
      }
      case 'refresh_ok':
      case 'invalid_grant':
      case 'refresh_error':
        if (!current) break;

        // A failed re-login after an invalid_grant does not hide the invalid_grant.
        if (current.outcome !== 'invalid_grant') current.outcome = outcomeOf(event.type);
        if (event.type === 'invalid_grant') current.invalidGrants += 1;
        current.end = event.t;
        if (!current.locked) finish(event.worker, event.t);
        break;
      case 'lock_released':
      case 'lock_retry_limit_reached':
        if (current && event.type === 'lock_retry_limit_reached') current.outcome = 'gave_up';
        finish(event.worker, event.t);
        break;
    }
  }
  return attempts.map(({ locked: _locked, ...attempt }) => attempt);
}

function outcomeOf(type: 'refresh_ok' | 'invalid_grant' | 'refresh_error'): AttemptOutcome {
  if (type === 'refresh_ok') return 'refreshed';
  return type === 'invalid_grant' ? 'invalid_grant' : 'error';
}

/** Up to `before` events before and `after` events from the event at time `t` (for a finding). */
export function eventsAround(history: readonly JournalEvent[], t: number, before = 6, after = 4): JournalEvent[] {
  const index = history.findIndex((event) => event.t >= t);
  const at = index === -1 ? history.length : index;
  return history.slice(Math.max(0, at - before), at + after);
}
