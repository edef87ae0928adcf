import type { JournalEvent, LedgerEvent } from '../../harness/journal/events.js';

/**
 * Crafted journal lines for checker tests: short builders so a test reads as the history it
 * describes. Every event is in the `shared` layout unless the test says otherwise.
 */
type Fields = Record<string, unknown>;

export function at(t: number, worker: number, type: string, fields: Fields = {}): JournalEvent {
  return { t, layout: 'shared', worker, type, ...fields } as unknown as JournalEvent;
}

export function ledger(t: number, worker: number | null, outcome: LedgerEvent['outcome'], fields: Partial<LedgerEvent> = {}): JournalEvent {
  return {
    t,
    layout: 'shared',
    type: 'ledger',
    seq: Math.round(t * 1000),
    route: outcome.startsWith('api') ? '/v1/messages' : '/v1/oauth/token',
    worker,
    status: outcome === 'invalid_grant' ? 400 : 200,
    outcome,
    presented: null,
    issued: null,
    family: 1,
    generation: null,
    ...fields,
  };
}

/** A worker that locks `location`, refreshes `from` into `to` and lets go, from t to t + 10. */
export function lockedRefresh(t: number, worker: number, location: string, from: string, to: string): JournalEvent[] {
  return [
    at(t, worker, 'lock_acquiring', { lockPath: '/c.lock', planned: from }),
    at(t + 1, worker, 'lock_acquired', { lockPath: '/c.lock', lockLocation: location, waitedMs: 1 }),
    at(t + 2, worker, 'refresh_start', { presented: from }),
    ledger(t + 5, worker, 'refresh_ok', { presented: from, issued: to }),
    at(t + 6, worker, 'refresh_ok', { presented: from, issued: to, latencyMs: 4 }),
    at(t + 8, worker, 'lock_releasing', { lockPath: '/c.lock', lockLocation: location }),
    at(t + 10, worker, 'lock_released', { lockPath: '/c.lock', lockLocation: location, heldMs: 9 }),
  ];
}

/** A worker that locks, presents a token already spent, is refused and logs in again. */
export function refusedRefresh(t: number, worker: number, location: string, from: string, relogin: string): JournalEvent[] {
  return [
    at(t, worker, 'lock_acquiring', { lockPath: '/c.lock', planned: from }),
    at(t + 1, worker, 'lock_acquired', { lockPath: '/c.lock', lockLocation: location, waitedMs: 1 }),
    at(t + 2, worker, 'refresh_start', { presented: from }),
    ledger(t + 5, worker, 'invalid_grant', { presented: from, reason: 'reused' }),
    at(t + 6, worker, 'invalid_grant', { presented: from, latencyMs: 4 }),
    ledger(t + 7, worker, 'login_ok', { issued: relogin }),
    at(t + 7.5, worker, 'relogin', { issued: relogin }),
    at(t + 8, worker, 'lock_releasing', { lockPath: '/c.lock', lockLocation: location }),
    at(t + 10, worker, 'lock_released', { lockPath: '/c.lock', lockLocation: location, heldMs: 9 }),
  ];
}

export function byTime(...groups: JournalEvent[][]): JournalEvent[] {
  return groups.flat().sort((a, b) => a.t - b.t);
}
