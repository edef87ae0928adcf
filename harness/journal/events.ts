/**
 * The journal's vocabulary. Every line of `events.ndjson` is one of these, with `t` on the run's
 * shared clock (see clock.ts). Token values never appear: only fingerprints.
 *
 * Client events mirror Claude Code's analytics events named in the design note
 * (`tengu_oauth_token_refresh_lock_*`), plus what the harness needs to explain a verdict.
 */
import type { RealClientEvent } from './real-client-events.js';

export type LayoutName = 'legacy' | 'shared' | 'host-symlink' | 'copies' | 'file-mount';

interface BaseEvent {
  /** Milliseconds since the run's origin. */
  t: number;
  layout: LayoutName;
}

interface WorkerEvent extends BaseEvent {
  /** 1-based container number. */
  worker: number;
}

export interface SessionStartEvent extends WorkerEvent {
  type: 'session_start';
  pid: number;
  configDir: string;
  lockPath: string;
  home: string;
  /** Which client of the fleet's mix this worker runs (its profile, or the mix entry's label). */
  client?: string;
  /** How many times this container's client was started before (0 for the first start). */
  restart?: number;
  /** The container's clock offset (clock-offset fault), when not 0. */
  clockOffsetMs?: number;
  /** Filesystem types (statfs) of the config dir and of $HOME, as this container sees them. */
  storeFs?: string;
  homeFs?: string;
}

export interface SessionEndEvent extends WorkerEvent {
  type: 'session_end';
  reason: 'deadline' | 'stopped' | 'parent_gone' | 'logged_out';
}

export interface LockAcquiringEvent extends WorkerEvent {
  type: 'lock_acquiring';
  lockPath: string;
  /**
   * Fingerprint of the refresh token this worker set out to replace. Two workers naming the same
   * token are contending for one refresh window (see evidence/contention.ts). Optional: clients
   * that cannot say fall back to the token named later in the attempt.
   */
  planned?: string;
}

export interface LockRetryEvent extends WorkerEvent {
  type: 'lock_retry';
  lockPath: string;
  attempt: number;
  delayMs: number;
}

export interface LockAcquiredEvent extends WorkerEvent {
  type: 'lock_acquired';
  lockPath: string;
  /**
   * Where the lock lives as the kernel sees it: the device and inode of the directory that holds
   * the lock dir, plus the lock dir's name. Equal strings mean the same place on the same
   * filesystem, whatever path each container used to reach it.
   */
  lockLocation: string;
  waitedMs: number;
}

export interface LockReleasedEvent extends WorkerEvent {
  type: 'lock_released';
  lockPath: string;
  lockLocation: string;
  heldMs: number;
}

/**
 * Emitted just before the lock is given back, by clients whose `lock_released` comes after the
 * release returned: its time is certainly inside the hold. The built-in client now emits
 * `lock_released` itself before letting go, so the checkers read either (evidence/history.ts).
 */
export interface LockReleasingEvent extends WorkerEvent {
  type: 'lock_releasing';
  lockPath: string;
  lockLocation: string;
}

export interface LockRaceResolvedEvent extends WorkerEvent {
  type: 'lock_race_resolved';
  /** The refresh token this worker meant to spend, and the one it found already in the store. */
  planned: string;
  adopted: string;
}

export interface LockRetryLimitReachedEvent extends WorkerEvent {
  type: 'lock_retry_limit_reached';
  lockPath: string;
  attempts: number;
}

/** proper-lockfile's `onCompromised`: the lock was lost while held (stale takeover, removal). */
export interface LockCompromisedEvent extends WorkerEvent {
  type: 'lock_compromised';
  lockPath: string;
  error: string;
}

export interface RefreshStartEvent extends WorkerEvent {
  type: 'refresh_start';
  presented: string;
}

export interface RefreshOkEvent extends WorkerEvent {
  type: 'refresh_ok';
  presented: string;
  issued: string;
  latencyMs: number;
}

export interface InvalidGrantEvent extends WorkerEvent {
  type: 'invalid_grant';
  presented: string;
  latencyMs: number;
}

export interface RefreshErrorEvent extends WorkerEvent {
  type: 'refresh_error';
  presented: string;
  status: number | null;
  error: string;
}

export interface ReloginEvent extends WorkerEvent {
  type: 'relogin';
  issued: string;
}

export interface ApiOkEvent extends WorkerEvent {
  type: 'api_ok';
  latencyMs: number;
}

export interface ApiUnauthorizedEvent extends WorkerEvent {
  type: 'api_unauthorized';
  presented: string;
}

/** An API call that got no usable answer (a timeout, a reset, an unexpected status). */
export interface ApiErrorEvent extends WorkerEvent {
  type: 'api_error';
  status: number | null;
  error: string;
}

/** A credential read that did not parse (torn by an in-place write, or garbage). */
export interface CredentialsTornEvent extends WorkerEvent {
  type: 'credentials_torn';
  detail: string;
}

/** A worker fault fired (see fleet/worker-faults.ts); `kill-*` ones are followed by SIGKILL. */
export interface WorkerFaultEvent extends WorkerEvent {
  type: 'worker_fault';
  kind: string;
  lockPath?: string;
  stallMs?: number;
  /** future-lock: how far ahead the planted lock is dated. */
  aheadMs?: number;
}

/** The invalid_grant reaction `wipe-store` cleared the tokens in the store. */
export interface StoreWipedEvent extends WorkerEvent {
  type: 'store_wiped';
  dead: string;
}

/** The invalid_grant reaction `reread-and-adopt` found another process's token and took it. */
export interface TokenAdoptedEvent extends WorkerEvent {
  type: 'token_adopted';
  dead: string;
  adopted: string;
}

/** The external flock(1) around one wrapped invocation. */
export interface FlockAcquiredEvent extends WorkerEvent {
  type: 'flock_acquired';
  lockFile: string;
  waitedMs: number;
}

export interface FlockReleasedEvent extends WorkerEvent {
  type: 'flock_released';
  lockFile: string;
  heldMs: number;
}

export interface FlockTimeoutEvent extends WorkerEvent {
  type: 'flock_timeout';
  lockFile: string;
  waitedMs: number;
}

export type ClientEvent =
  | CredentialsTornEvent
  | WorkerFaultEvent
  | StoreWipedEvent
  | TokenAdoptedEvent
  | FlockAcquiredEvent
  | FlockReleasedEvent
  | FlockTimeoutEvent
  | SessionStartEvent
  | SessionEndEvent
  | LockAcquiringEvent
  | LockRetryEvent
  | LockAcquiredEvent
  | LockReleasedEvent
  | LockReleasingEvent
  | LockRaceResolvedEvent
  | LockRetryLimitReachedEvent
  | LockCompromisedEvent
  | RefreshStartEvent
  | RefreshOkEvent
  | InvalidGrantEvent
  | RefreshErrorEvent
  | ReloginEvent
  | ApiOkEvent
  | ApiUnauthorizedEvent
  | ApiErrorEvent;

export type ClientEventType = ClientEvent['type'];

/** What the endpoint decided for one request: the ground truth the report is checked against. */
export type LedgerOutcome =
  | 'refresh_ok'
  | 'invalid_grant'
  | 'invalid_request'
  | 'unsupported_grant_type'
  | 'login_ok'
  | 'api_ok'
  | 'api_unauthorized'
  | 'payload_too_large'
  | 'not_found'
  /** Not HTTP the parser could read (bad request line, oversized headers, a header timeout). */
  | 'bad_http'
  /** The sender went away before its body was complete: nothing could be answered. */
  | 'aborted'
  /** A bug in a handler; answered 500 so the endpoint keeps serving. */
  | 'server_error'
  /** A real client's auxiliary call (profile, MCP listing, preconnect) that was answered. */
  | 'aux_ok'
  /** A spent refresh token was replayed and the server revoked its whole family (RFC 9700). */
  | 'family_revoked'
  /** 429: over the server's rate limit; the token was not looked at. */
  | 'rate_limited'
  /** An endpoint fault answered (or dropped) the request before the token was looked at. */
  | 'fault_before_commit';

export type FaultPhase = 'before-commit' | 'after-commit';

/** One endpoint fault injected into one token request, as the ledger records it. */
export type InjectedFault =
  | { kind: 'latency'; delayMs: number }
  | { kind: 'error'; phase: FaultPhase; status: number }
  | { kind: 'reset'; phase: FaultPhase }
  | { kind: 'hang'; phase: FaultPhase; holdMs: number };

export interface LedgerEvent extends BaseEvent {
  type: 'ledger';
  seq: number;
  route: string;
  /** Worker id from the `x-tokenrace-worker` header; null when the client sent none. */
  worker: number | null;
  /** The HTTP status sent; 0 when none was (connection reset, or dropped after a hang). */
  status: number;
  outcome: LedgerOutcome;
  /** Fingerprint of the token presented (refresh token or bearer), if any. */
  presented: string | null;
  /** Fingerprint of the refresh token issued, if any. */
  issued: string | null;
  family: number | null;
  generation: number | null;
  /**
   * Why a grant was refused: the token was spent already, never issued, or its family revoked.
   * On a `refresh_ok`: `grace_replay` (a spent token honoured, which a strict server refuses)
   * or `forked` (a spent token rotated again by a non-atomic server).
   */
  reason?: 'reused' | 'unknown' | 'expired' | 'malformed' | 'revoked' | 'grace_replay' | 'forked';
  /** 1-based number of this token request, the count fault schedules use. */
  request?: number;
  /** Faults injected into this request; absent when none. */
  faults?: InjectedFault[];
  /** On `rate_limited`: when the client may try again. */
  retryAfterMs?: number;
  /**
   * False when the client did not get the server's answer: an after-commit fault replaced it
   * (5xx, reset, or held past the client's timeout). Absent means delivered.
   */
  delivered?: boolean;
}

export interface WorkerExitEvent extends BaseEvent {
  type: 'worker_exit';
  worker: number;
  exitCode: number | null;
  signal: string | null;
  /** Last lines of the worker's stderr when it ended badly; empty otherwise. */
  stderrTail: string;
  /** Times the client was SIGKILLed in this container, and restarted after such a kill. */
  kills?: number;
  restarts?: number;
}

/** A container that ended on its own, mid-run: which, how, and what it was last doing. */
export interface WorkerCrashEvent extends BaseEvent {
  type: 'worker_crash';
  worker: number;
  exitCode: number | null;
  signal: string | null;
  lastEvent: string | null;
  stderrTail: string;
}

export interface LayoutStartEvent extends BaseEvent {
  type: 'layout_start';
  workers: number;
  isolation: string;
  profile: string;
  /**
   * Whether the layout's containers are meant to serialise their refreshes through one lock.
   * Absent means yes: every layout shares one store, so every layout needs it. A layout built to
   * show no coordination at all may say false, and then only same-location overlaps count.
   */
  coordinates?: boolean;
  /** Client label per worker (index 0 = worker 1), when the fleet runs a mix of clients. */
  clients?: string[];
  /** Filesystem types (statfs) of the shared store and of worker 1's $HOME, as mounted. */
  filesystems?: { store: string; home: string };
}

export interface LayoutEndEvent extends BaseEvent {
  type: 'layout_end';
  interrupted: boolean;
}

/**
 * The first line of every journal: the facts of the run that no other event carries, so that
 * `tokenrace report` can rebuild every output from the journal alone.
 */
export interface RunStartEvent {
  t: number;
  type: 'run_start';
  /** Run-level events belong to no layout. */
  layout?: undefined;
  run_id: string;
  command: string;
  isolation: string;
  isolation_reason: string;
  profile: string;
  seed: number;
  workers: number;
  duration_ms: number;
  /** Epoch milliseconds of the run clock's origin, so `t` can be put back on a calendar. */
  origin_epoch_ms: number;
  /** The gate the run was started with (see scenario/gate-options.ts). */
  gate: GateSettings;
  /** The scenario as far as judging needs it: its name, layouts in order, and expectations. */
  scenario: {
    name: string;
    description: string;
    sources: string[];
    layouts: LayoutName[];
    /** `compare`: the legacy-vs-shared gate; `expectations`: the scenario's `expect`. */
    judge: 'compare' | 'expectations';
    /** The scenario's `expect` section, as written. */
    expect: Partial<Record<LayoutName, Partial<Record<string, number | boolean | string>>>>;
  };
}

export interface GateSettings {
  thresholds: string[];
  allow_inconclusive: boolean;
  /** Fewer contended refresh windows than this makes a layout inconclusive. */
  min_contended_windows: number;
}

/** The last line of a journal that ended normally or by interruption. */
export interface RunEndEvent {
  t: number;
  type: 'run_end';
  layout?: undefined;
  interrupted: boolean;
  /** Set when --time-budget stopped the run: the budget, in milliseconds. */
  timeBudgetExceededMs?: number;
  /** Set when an error in the harness itself ended the run early: what was thrown. */
  harnessError?: { code: string; message: string };
}

export type JournalEvent =
  | RealClientEvent
  | RunStartEvent
  | RunEndEvent
  | ClientEvent
  | LedgerEvent
  | WorkerExitEvent
  | WorkerCrashEvent
  | LayoutStartEvent
  | LayoutEndEvent;
