import type { InjectedFault, JournalEvent, LayoutName, LedgerEvent } from '../journal/events.js';
import { countRealClients, hasRealClientEvents, type RealClientCounters } from './real-client-counters.js';
import { countClientFaults, type FaultCounters } from './fault-counters.js';

/**
 * The per-layout numbers of a run, all computed from the journal. Client-side counts come from
 * what the sessions reported; `ledger` is what the endpoint decided. They must agree: a
 * difference means a session was cut off mid-request or the model miscounts, and the report says
 * so (`ledger_agrees`).
 */
export interface LayoutCounters extends FaultCounters {
  workers: number;
  refresh_posts: number;
  refresh_ok: number;
  invalid_grant: number;
  /** Refreshes that got no usable answer: 429, 5xx, reset or timeout (and failed logins). */
  refresh_errors: number;
  race_resolved: number;
  retry_limit_reached: number;
  relogins: number;
  api_ok: number;
  api_unauthorized: number;
  /** API calls that got no usable answer (timeouts, resets): a starved machine, not a lost session. */
  api_errors: number;
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
  /** Filesystem types of the store and the homes the layout ran on. */
  filesystems?: { store: string; home: string };
  /** Per client of the fleet's mix (by label): who did what. */
  clients?: Record<string, ClientCounters>;
}

export interface ClientCounters {
  workers: number;
  refresh_posts: number;
  refresh_ok: number;
  invalid_grant: number;
  api_ok: number;
  lock_compromised: number;
}

export interface LedgerCounters {
  refresh_requests: number;
  /** Rotations the server committed, whether or not the client learnt of them. */
  refresh_ok: number;
  /** Refresh requests answered (or meant to be answered) invalid_grant, revocations included. */
  invalid_grant: number;
  logins: number;
  api_ok: number;
  api_unauthorized: number;
  /** Spent tokens replayed under `family-revocation`: each one revoked a whole family. */
  family_revocations: number;
  /** Refresh tokens refused because their family had been revoked earlier. */
  revoked_refused: number;
  /** API calls refused because the access token was revoked (family or newer refresh). */
  api_revoked: number;
  /** 429s from the server's rate limit. */
  rate_limited: number;
  /** Spent tokens the grace window honoured: each one a strict server would have refused. */
  grace_replays: number;
  /** Spent tokens rotated a second time by a non-atomic server: the family forked. */
  forks: number;
  /** Committed rotations whose answer an after-commit fault replaced: new tokens never seen. */
  rotations_undelivered: number;
  /** Endpoint faults injected, by `latency` or kind-phase (`error-after-commit`, ...). */
  faults_injected: Record<string, number>;
}

export function countLayout(events: readonly JournalEvent[], layout: LayoutName): LayoutCounters {
  const mine = events.filter((event) => event.layout === layout);
  const count = (type: JournalEvent['type']) => mine.filter((event) => event.type === type).length;
  const acquired = mine.filter((event) => event.type === 'lock_acquired');
  const start = mine.find((event) => event.type === 'layout_start');
  const end = mine.find((event) => event.type === 'layout_end');
  const entries = mine.filter((event): event is LedgerEvent => event.type === 'ledger');
  const ledger = countLedger(entries);

  const counters = {
    workers: start?.type === 'layout_start' ? start.workers : 0,
    refresh_posts: count('refresh_start'),
    refresh_ok: count('refresh_ok'),
    invalid_grant: count('invalid_grant'),
    refresh_errors: count('refresh_error'),
    race_resolved: count('lock_race_resolved'),
    retry_limit_reached: count('lock_retry_limit_reached'),
    relogins: count('relogin'),
    api_ok: count('api_ok'),
    api_unauthorized: count('api_unauthorized'),
    api_errors: count('api_error'),
    lock_compromised: count('lock_compromised'),
    lock_locations: new Set(acquired.map((event) => event.lockLocation)).size,
    lock_paths: new Set(acquired.map((event) => event.lockPath)).size,
    duration_ms: start && end ? Math.round(end.t - start.t) : 0,
    ledger,
  };
  const extra = {
    ...countClientFaults(mine),
    ...(start?.type === 'layout_start' && start.filesystems ? { filesystems: start.filesystems } : {}),
    ...(start?.type === 'layout_start' && start.clients
      ? { clients: countClients(mine, start.clients) }
      : {}),
  };
  const agrees = agreesWithLedger(counters, ledger, countDelivered(entries));
  const real = hasRealClientEvents(mine, layout) ? countRealClients(mine, layout, counters.duration_ms) : undefined;
  return { ...counters, ledger_agrees: agrees, ...extra, ...(real ? { real } : {}) };
}

function countClients(
  events: readonly JournalEvent[],
  labels: readonly string[],
): Record<string, ClientCounters> {
  const clients: Record<string, ClientCounters> = {};
  for (const label of new Set(labels)) {
    const workers = new Set(labels.flatMap((each, index) => (each === label ? [index + 1] : [])));
    const mine = events.filter(
      (event) =>
        event.type !== 'ledger' && 'worker' in event && event.worker !== null && workers.has(event.worker),
    );
    const count = (type: JournalEvent['type']) => mine.filter((event) => event.type === type).length;
    clients[label] = {
      workers: workers.size,
      refresh_posts: count('refresh_start'),
      refresh_ok: count('refresh_ok'),
      invalid_grant: count('invalid_grant'),
      api_ok: count('api_ok'),
      lock_compromised: count('lock_compromised'),
    };
  }
  return clients;
}

function countLedger(entries: readonly LedgerEvent[]): LedgerCounters {
  const where = (test: (entry: LedgerEvent) => boolean) => entries.filter(test).length;
  const outcomes = (outcome: LedgerEvent['outcome']) => where((entry) => entry.outcome === outcome);
  const withReason = (outcome: LedgerEvent['outcome'], reason: LedgerEvent['reason']) =>
    where((entry) => entry.outcome === outcome && entry.reason === reason);
  // Worker 0 is the harness itself seeding the store; it is not part of any session.
  const fromWorkers = entries.filter((entry) => entry.worker !== null);
  return {
    refresh_requests: entries.filter((entry) => entry.route === '/v1/oauth/token').length,
    refresh_ok: outcomes('refresh_ok'),
    invalid_grant: where(isInvalidGrant),
    logins: fromWorkers.filter((entry) => entry.outcome === 'login_ok').length,
    api_ok: outcomes('api_ok'),
    api_unauthorized: outcomes('api_unauthorized'),
    family_revocations: outcomes('family_revoked'),
    revoked_refused: withReason('invalid_grant', 'revoked'),
    api_revoked: withReason('api_unauthorized', 'revoked'),
    rate_limited: outcomes('rate_limited'),
    grace_replays: withReason('refresh_ok', 'grace_replay'),
    forks: withReason('refresh_ok', 'forked'),
    rotations_undelivered: where((entry) => entry.outcome === 'refresh_ok' && !isDelivered(entry)),
    faults_injected: countFaults(entries),
  };
}

function isDelivered(entry: LedgerEvent): boolean {
  return entry.delivered !== false;
}

function isInvalidGrant(entry: LedgerEvent): boolean {
  return entry.outcome === 'invalid_grant' || entry.outcome === 'family_revoked';
}

function countFaults(entries: readonly LedgerEvent[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const fault of entries.flatMap((entry) => entry.faults ?? [])) {
    const label = faultLabel(fault);
    counts[label] = (counts[label] ?? 0) + 1;
  }
  return counts;
}

/**
 * What the clients can have seen: an answer an after-commit fault replaced never reached them,
 * so it is left out when their counts are checked against the ledger.
 */
function countDelivered(
  entries: readonly LedgerEvent[],
): Pick<LedgerCounters, 'refresh_ok' | 'invalid_grant'> {
  const delivered = entries.filter(isDelivered);
  return {
    refresh_ok: delivered.filter((entry) => entry.outcome === 'refresh_ok').length,
    invalid_grant: delivered.filter(isInvalidGrant).length,
  };
}

function agreesWithLedger(
  counters: Pick<LayoutCounters, 'refresh_posts' | 'refresh_ok' | 'invalid_grant' | 'api_ok' | 'api_unauthorized' | 'api_errors'>,
  ledger: LedgerCounters,
  delivered: { refresh_ok: number; invalid_grant: number },
): boolean {
  return (
    counters.refresh_posts === ledger.refresh_requests &&
    counters.refresh_ok === delivered.refresh_ok &&
    counters.invalid_grant === delivered.invalid_grant &&
    apiCallsAgree(counters, ledger)
  );
}

/**
 * Every API answer a client counted is in the ledger with the same outcome; answers the ledger
 * holds that no client counted are at most the calls clients gave up on (a timeout while the
 * endpoint was still answering). With no API error this is plain equality.
 */
function apiCallsAgree(
  counters: Pick<LayoutCounters, 'api_ok' | 'api_unauthorized' | 'api_errors'>,
  ledger: LedgerCounters,
): boolean {
  const unseenOk = ledger.api_ok - counters.api_ok;
  const unseenUnauthorized = ledger.api_unauthorized - counters.api_unauthorized;
  return unseenOk >= 0 && unseenUnauthorized >= 0 && unseenOk + unseenUnauthorized <= counters.api_errors;
}

/** `latency`, or kind and phase such as `error-after-commit`: how faults are grouped. */
export function faultLabel(fault: InjectedFault): string {
  return fault.kind === 'latency' ? 'latency' : `${fault.kind}-${fault.phase}`;
}
