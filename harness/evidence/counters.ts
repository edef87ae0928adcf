import type { JournalEvent, LayoutName, LedgerEvent } from '../journal/events.js';
import { countRealClients, hasRealClientEvents, type RealClientCounters } from './real-client-counters.js';

/**
 * The per-layout numbers of a run, all computed from the journal. Client-side counts come from
 * what the sessions reported; `ledger` is what the endpoint decided. They must agree: a
 * difference means a session was cut off mid-request or the model miscounts, and the report says
 * so (`ledger_agrees`).
 */
export interface LayoutCounters {
  workers: number;
  refresh_posts: number;
  refresh_ok: number;
  invalid_grant: number;
  race_resolved: number;
  retry_limit_reached: number;
  relogins: number;
  api_ok: number;
  api_unauthorized: number;
  lock_compromised: number;
  /** Distinct lock directories (by device and inode of their parent) the workers locked. */
  lock_locations: number;
  /** Distinct lock paths as the workers spelled them; may be 1 even when locations are many. */
  lock_paths: number;
  duration_ms: number;
  ledger: LedgerCounters;
  ledger_agrees: boolean;
  /** Present when real clients ran: their numbers, judged from outside (ledger, exits, files). */
  real?: RealClientCounters;
}

export interface LedgerCounters {
  refresh_requests: number;
  refresh_ok: number;
  invalid_grant: number;
  logins: number;
  api_ok: number;
  api_unauthorized: number;
}

export function countLayout(events: readonly JournalEvent[], layout: LayoutName): LayoutCounters {
  const mine = events.filter((event) => event.layout === layout);
  const count = (type: JournalEvent['type']) => mine.filter((event) => event.type === type).length;
  const acquired = mine.filter((event) => event.type === 'lock_acquired');
  const start = mine.find((event) => event.type === 'layout_start');
  const end = mine.find((event) => event.type === 'layout_end');
  const ledger = countLedger(mine.filter((event): event is LedgerEvent => event.type === 'ledger'));

  const counters = {
    workers: start?.type === 'layout_start' ? start.workers : 0,
    refresh_posts: count('refresh_start'),
    refresh_ok: count('refresh_ok'),
    invalid_grant: count('invalid_grant'),
    race_resolved: count('lock_race_resolved'),
    retry_limit_reached: count('lock_retry_limit_reached'),
    relogins: count('relogin'),
    api_ok: count('api_ok'),
    api_unauthorized: count('api_unauthorized'),
    lock_compromised: count('lock_compromised'),
    lock_locations: new Set(acquired.map((event) => event.lockLocation)).size,
    lock_paths: new Set(acquired.map((event) => event.lockPath)).size,
    duration_ms: start && end ? Math.round(end.t - start.t) : 0,
    ledger,
  };
  const real = hasRealClientEvents(mine, layout) ? countRealClients(mine, layout, counters.duration_ms) : undefined;
  return { ...counters, ledger_agrees: agreesWithLedger(counters, ledger), ...(real ? { real } : {}) };
}

function countLedger(entries: readonly LedgerEvent[]): LedgerCounters {
  const outcomes = (outcome: LedgerEvent['outcome']) => entries.filter((entry) => entry.outcome === outcome).length;
  // Worker 0 is the harness itself seeding the store; it is not part of any session.
  const fromWorkers = entries.filter((entry) => entry.worker !== null);
  return {
    refresh_requests: entries.filter((entry) => entry.route === '/v1/oauth/token').length,
    refresh_ok: outcomes('refresh_ok'),
    invalid_grant: outcomes('invalid_grant'),
    logins: fromWorkers.filter((entry) => entry.outcome === 'login_ok').length,
    api_ok: outcomes('api_ok'),
    api_unauthorized: outcomes('api_unauthorized'),
  };
}

function agreesWithLedger(counters: Omit<LayoutCounters, 'ledger' | 'ledger_agrees'>, ledger: LedgerCounters): boolean {
  return (
    counters.refresh_posts === ledger.refresh_requests &&
    counters.refresh_ok === ledger.refresh_ok &&
    counters.invalid_grant === ledger.invalid_grant &&
    counters.api_ok === ledger.api_ok &&
    counters.api_unauthorized === ledger.api_unauthorized
  );
}
