/**
 * Journal events of runs that drive real clients (the Claude Code binary, or any command): what
 * the harness can see from outside a client it did not write. Kept apart from events.ts so the
 * built-in client's vocabulary stays readable; both are part of `JournalEvent`.
 */
import type { LayoutName } from './events.js';

interface LayoutScoped {
  t: number;
  layout: LayoutName;
}

/** Which client a container runs, e.g. `claude-code@2.1.197`, `exec`, `builtin`. */
export interface ClientAssignedEvent extends LayoutScoped {
  type: 'client_assigned';
  worker: number;
  client: string;
}

/** How real clients reach the mock: their hosts mapped in /etc/hosts, or an HTTPS proxy. */
export interface NetworkRouteEvent extends LayoutScoped {
  type: 'network_route';
  route: 'hosts' | 'proxy' | 'plain';
  reason: string;
}

/** One run of the container's command ended (`claude -p` is run again until the deadline). */
export interface CommandExitEvent extends LayoutScoped {
  type: 'command_exit';
  worker: number;
  run: number;
  exitCode: number | null;
  signal: string | null;
  durationMs: number;
  /** Milliseconds left before the deadline when it ended; negative when it ended after. */
  beforeDeadlineMs: number;
  /** The last of its stderr (and stdout) when it failed; empty otherwise. */
  outputTail: string;
}

/** The runner had to kill the command: it outlived the deadline, or the run was stopped. */
export interface CommandKilledEvent extends LayoutScoped {
  type: 'command_killed';
  worker: number;
  run: number;
  reason: 'hung' | 'stopped';
}

/** An exec client's line on its event fd that was not a known event; counted, not trusted. */
export interface ClientEventRejectedEvent extends LayoutScoped {
  type: 'client_event_rejected';
  worker: number;
  reason: 'unparseable' | 'unknown_type' | 'over_limit';
}

/**
 * A lock file or directory appeared, seen from the coordinator (inotify on the directories a lock
 * can live in). `worker` is null when the place is shared by every container.
 */
export interface LockSeenEvent extends LayoutScoped {
  type: 'lock_seen';
  worker: number | null;
  /** Where it is, relative to the run tree, e.g. `store/config/.oauth_refresh.lock`. */
  path: string;
  place: 'inside-config' | 'beside-config' | 'other';
  /** Whether every container sees this same lock. */
  shared: boolean;
}

/**
 * The shared credentials file as the layout left it. `wiped`: the client cleared the tokens;
 * `dead`: it holds a refresh token the endpoint would refuse (spent, or its family revoked).
 */
export interface StoreFinalEvent extends LayoutScoped {
  type: 'store_final';
  state: 'ok' | 'wiped' | 'dead' | 'missing' | 'corrupt';
  /** Fingerprint of the refresh token it holds, if any. */
  refreshToken: string | null;
}

/** The CONNECT proxy was asked for a host it has no certificate for, and refused. */
export interface ConnectRefusedEvent extends LayoutScoped {
  type: 'connect_refused';
  worker: number;
  target: string;
}

export type RealClientEvent =
  | ClientAssignedEvent
  | NetworkRouteEvent
  | CommandExitEvent
  | CommandKilledEvent
  | ClientEventRejectedEvent
  | LockSeenEvent
  | StoreFinalEvent
  | ConnectRefusedEvent;
