import type { JournalEvent, LayoutName, LedgerEvent } from '../journal/events.js';
import type { CommandExitEvent, LockSeenEvent, NetworkRouteEvent, StoreFinalEvent } from '../journal/real-client-events.js';

/**
 * What a layout did with real clients, judged from the outside: the endpoint's ledger (every
 * refresh POST, which token it presented, what it got), each run's exit, the locks the watcher
 * saw and the store as it was left. Nothing here needs the client's cooperation, so an
 * uninstrumented binary is judged exactly as the built-in model is.
 */
export interface RealClientCounters {
  /** Containers per client, e.g. `{"claude-code@2.1.197": 4}`. */
  clients: Record<string, number>;
  runs: number;
  /** Runs per exit code (`"0"`, `"1"`) or signal (`"SIGKILL"`). */
  exit_codes: Record<string, number>;
  failed_runs: number;
  refresh_posts: number;
  /** Distinct refresh tokens presented: token generations someone tried to spend. */
  generations: number;
  max_posts_per_generation: number;
  /** POSTs that presented a token someone had presented already. */
  duplicate_posts: number;
  invalid_grant: number;
  api_unauthorized: number;
  /** Routes the endpoint does not know, answered 404: a client's new calls show up here. */
  unknown_routes: string[];
  /** Lock paths seen, as `<place> <path>`; shared ones once, per-container ones with `w*`. */
  locks_seen: string[];
  lock_placement: 'inside-config' | 'beside-config' | 'both' | 'none';
  store: StoreFinalEvent['state'] | 'unknown';
  misbehaviour: Misbehaviour[];
  /** Mixed fleets: the same numbers per client kind, from the containers each one ran in. */
  by_client: Record<string, ClientShare>;
  /**
   * The first run that ended non-zero, with the last line it printed: a client that cannot even
   * start (a missing script, a bad flag) shows why without opening the journal.
   */
  first_failure: { worker: number; run: number; exit: string; output: string } | null;
  /** invalid_grant, a wiped, dead or corrupt store, or a failed run: someone must log in again. */
  sessions_lost: boolean;
  /** Why sessions_lost is true, each cause once; empty when no session was lost. */
  lost_by: LossCause[];
  /** How the clients reached the mock (`hosts`, `proxy`), or `unknown` in an old journal. */
  network_route: NetworkRouteEvent['route'] | 'unknown';
  /** What the CONNECT proxy refused, as `w<N> <request line target>`, e.g. `w1 CONNECT example.com:443`. */
  connects_refused: string[];
}

/**
 * `store_wiped`: the client cleared its own tokens; `store_dead`: the file holds a refresh token
 * the server refuses (spent, or its family revoked). Either way, the next start means a login.
 */
export type LossCause = 'invalid_grant' | 'failed_runs' | 'store_wiped' | 'store_dead' | 'store_corrupt';

export interface ClientShare {
  refresh_posts: number;
  invalid_grant: number;
  runs: number;
  failed_runs: number;
}

export interface Misbehaviour {
  worker: number | null;
  kind: 'exited_early' | 'hung' | 'flooded' | 'garbage_store' | 'garbage_events';
  detail: string;
}

/** More requests per second than this from one container is a flood, not a session. */
export const FLOOD_REQUESTS_PER_SECOND = 100;
/** A command meant to run until the deadline that ends sooner than this before it left early. */
export const EARLY_EXIT_MS = 1_000;

export function hasRealClientEvents(events: readonly JournalEvent[], layout: LayoutName): boolean {
  return events.some((event) => event.layout === layout && event.type === 'client_assigned');
}

export function countRealClients(events: readonly JournalEvent[], layout: LayoutName, durationMs: number): RealClientCounters {
  const mine = events.filter((event) => event.layout === layout);
  const of = <T extends JournalEvent['type']>(type: T) =>
    mine.filter((event): event is Extract<JournalEvent, { type: T }> => event.type === type);
  const ledger = of('ledger');
  const exits = of('command_exit');
  const tokenPosts = ledger.filter((entry) => entry.route === '/v1/oauth/token' && entry.presented !== null);
  const perToken = tally(tokenPosts.map((entry) => entry.presented!));
  const store = of('store_final')[0]?.state ?? 'unknown';
  const clients = tally(of('client_assigned').map((event) => event.client));
  const misbehaviour = findMisbehaviour(mine, exits, ledger, durationMs, store);
  // A replay that revoked the whole family is an invalid_grant to the client too.
  const invalidGrant = ledger.filter((entry) => entry.outcome === 'invalid_grant' || entry.outcome === 'family_revoked').length;
  const failedRuns = exits.filter((exit) => exit.exitCode !== 0).length;
  const lostBy = lossCauses(invalidGrant, failedRuns, store);

  return {
    clients,
    runs: exits.length,
    exit_codes: tally(exits.map(exitLabel)),
    failed_runs: failedRuns,
    refresh_posts: tokenPosts.length,
    generations: Object.keys(perToken).length,
    max_posts_per_generation: Math.max(0, ...Object.values(perToken)),
    duplicate_posts: tokenPosts.length - Object.keys(perToken).length,
    invalid_grant: invalidGrant,
    api_unauthorized: ledger.filter((entry) => entry.outcome === 'api_unauthorized').length,
    unknown_routes: [...new Set(ledger.filter((entry) => entry.outcome === 'not_found').map((entry) => entry.route))].sort(),
    locks_seen: describeLocks(of('lock_seen')),
    lock_placement: placement(of('lock_seen')),
    store,
    misbehaviour,
    by_client: shareByClient(of('client_assigned'), tokenPosts, ledger, exits),
    first_failure: firstFailure(exits),
    sessions_lost: lostBy.length > 0,
    lost_by: lostBy,
    network_route: of('network_route')[0]?.route ?? 'unknown',
    connects_refused: [...new Set(of('connect_refused').map((event) => `w${event.worker} ${event.target}`))].sort(),
  };
}

function lossCauses(invalidGrant: number, failedRuns: number, store: RealClientCounters['store']): LossCause[] {
  const causes: LossCause[] = [];
  if (invalidGrant > 0) causes.push('invalid_grant');
  if (failedRuns > 0) causes.push('failed_runs');
  if (store === 'wiped' || store === 'dead' || store === 'corrupt') causes.push(`store_${store}`);
  return causes;
}

function findMisbehaviour(
  mine: readonly JournalEvent[],
  exits: readonly CommandExitEvent[],
  ledger: readonly LedgerEvent[],
  durationMs: number,
  store: RealClientCounters['store'],
): Misbehaviour[] {
  const found: Misbehaviour[] = [];
  const onceWorkers = new Set<number>();
  for (const event of mine) {
    if (event.type === 'client_assigned' && event.client === 'exec') onceWorkers.add(event.worker);
  }
  for (const exit of exits) {
    // A failing exit is a lost session (failed_runs); leaving early with 0 is walking away.
    if (onceWorkers.has(exit.worker) && exit.exitCode === 0 && exit.beforeDeadlineMs > EARLY_EXIT_MS) {
      found.push({ worker: exit.worker, kind: 'exited_early', detail: `${exit.beforeDeadlineMs} ms before the deadline` });
    }
  }
  for (const event of mine) {
    if (event.type === 'command_killed' && event.reason === 'hung') {
      found.push({ worker: event.worker, kind: 'hung', detail: `run ${event.run} killed after the deadline` });
    }
  }
  const seconds = Math.max(durationMs, 1_000) / 1000;
  for (const [worker, requests] of Object.entries(tally(ledger.map((entry) => String(entry.worker))))) {
    if (worker !== 'null' && requests / seconds > FLOOD_REQUESTS_PER_SECOND) {
      found.push({ worker: Number(worker), kind: 'flooded', detail: `${Math.round(requests / seconds)} requests/s` });
    }
  }
  if (store === 'corrupt') found.push({ worker: null, kind: 'garbage_store', detail: 'the credentials file is not a credentials document' });
  const rejected = mine.filter((event) => event.type === 'client_event_rejected');
  for (const worker of new Set(rejected.map((event) => (event as { worker: number }).worker))) {
    found.push({ worker, kind: 'garbage_events', detail: 'lines on fd 3 that are not events' });
  }
  return found;
}

function shareByClient(
  assigned: ReadonlyArray<{ worker: number; client: string }>,
  tokenPosts: readonly LedgerEvent[],
  ledger: readonly LedgerEvent[],
  exits: readonly CommandExitEvent[],
): Record<string, ClientShare> {
  const shares: Record<string, ClientShare> = {};
  for (const { worker, client } of assigned) {
    const share = (shares[client] ??= { refresh_posts: 0, invalid_grant: 0, runs: 0, failed_runs: 0 });
    share.refresh_posts += tokenPosts.filter((entry) => entry.worker === worker).length;
    share.invalid_grant += ledger.filter(
      (entry) => entry.worker === worker && (entry.outcome === 'invalid_grant' || entry.outcome === 'family_revoked'),
    ).length;
    share.runs += exits.filter((exit) => exit.worker === worker).length;
    share.failed_runs += exits.filter((exit) => exit.worker === worker && exit.exitCode !== 0).length;
  }
  return shares;
}

function describeLocks(seen: readonly LockSeenEvent[]): string[] {
  // Container-private locks differ only by the container's directory: fold them into one line.
  return [...new Set(seen.map((event) => `${event.place} ${event.path.replace(/\/w\d+\//, '/w*/')}`))].sort();
}

function placement(seen: readonly LockSeenEvent[]): RealClientCounters['lock_placement'] {
  const inside = seen.some((event) => event.place === 'inside-config');
  const beside = seen.some((event) => event.place === 'beside-config');
  if (inside && beside) return 'both';
  if (inside) return 'inside-config';
  return beside ? 'beside-config' : 'none';
}

function firstFailure(exits: readonly CommandExitEvent[]): RealClientCounters['first_failure'] {
  const failed = exits.find((exit) => exit.exitCode !== 0);
  if (!failed) return null;
  const lines = failed.outputTail.split('\n').map((line) => line.trim()).filter(Boolean);
  return { worker: failed.worker, run: failed.run, exit: exitLabel(failed), output: (lines.at(-1) ?? '').slice(0, 200) };
}

function exitLabel(exit: CommandExitEvent): string {
  return exit.signal ?? String(exit.exitCode);
}

function tally(values: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}
