import type { JournalEvent } from '../journal/events.js';
import { formatCount, type CheckResult } from './check-result.js';
import { extractAttempts, type Attempt } from './history.js';

/**
 * Contention, defined on token generations rather than on wall-clock overlap.
 *
 * A *refresh window* is one refresh token: the span in which workers set out to replace it,
 * from the first `lock_acquiring` naming it (its `planned` token; for a client that takes no
 * lock, the token its `refresh_start` presents) to the end of the last attempt naming it.
 * A window is *contended* when two or more distinct workers set out to replace the same token:
 * exactly the situation in which an unserialised client spends one token twice. A window
 * *failed* when any attempt in it ended in invalid_grant.
 *
 * Windows by token do not chain into one endless interval under heavy load, as overlapping
 * wall-clock intervals would with 64 workers; each rotation of the store is its own trial.
 */
export interface RefreshWindow {
  token: string;
  start: number;
  end: number;
  workers: number[];
  attempts: number;
  invalidGrants: number;
}

export interface ContentionSummary {
  attempts: number;
  windows: number;
  contended_windows: number;
  /** Contended windows in which some attempt ended in invalid_grant. */
  failed_windows: number;
  /** 1-based index, among contended windows in time order, of the first failed one. */
  first_failure_window: number | null;
  /** Milliseconds from the first session's start to the start of the first failed window. */
  first_failure_ms: number | null;
  /** 95% upper bound on the per-window failure rate; null unless 0 failed of ≥1 contended. */
  failure_rate_upper_95: number | null;
}

export function refreshWindows(history: readonly JournalEvent[]): RefreshWindow[] {
  const byToken = new Map<string, Attempt[]>();
  for (const attempt of extractAttempts(history)) {
    if (attempt.token === null) continue;
    byToken.set(attempt.token, [...(byToken.get(attempt.token) ?? []), attempt]);
  }
  return [...byToken.entries()]
    .map(([token, attempts]) => ({
      token,
      start: Math.min(...attempts.map((attempt) => attempt.start)),
      end: Math.max(...attempts.map((attempt) => attempt.end)),
      workers: [...new Set(attempts.map((attempt) => attempt.worker))].sort((a, b) => a - b),
      attempts: attempts.length,
      invalidGrants: attempts.reduce((sum, attempt) => sum + attempt.invalidGrants, 0),
    }))
    .sort((a, b) => a.start - b.start);
}

export function summarizeContention(history: readonly JournalEvent[]): ContentionSummary {
  const windows = refreshWindows(history);
  const contended = windows.filter((window) => window.workers.length >= 2);
  const failedIndex = contended.findIndex((window) => window.invalidGrants > 0);
  const failed = contended.filter((window) => window.invalidGrants > 0).length;
  // Measured from the first session's start: process start-up before it is not workload time.
  const firstSession = history.find((event) => event.type === 'session_start');
  const layoutStart = firstSession?.t ?? history[0]?.t ?? 0;
  return {
    attempts: windows.reduce((sum, window) => sum + window.attempts, 0),
    windows: windows.length,
    contended_windows: contended.length,
    failed_windows: failed,
    first_failure_window: failedIndex === -1 ? null : failedIndex + 1,
    first_failure_ms: failedIndex === -1 ? null : round(contended[failedIndex]!.start - layoutStart),
    failure_rate_upper_95: failed === 0 && contended.length > 0 ? upperBound95(contended.length) : null,
  };
}

/**
 * The exact one-sided 95% upper bound on a failure probability after 0 failures in n trials:
 * the p with (1 - p)^n = 0.05. About 3/n for large n (the rule of three).
 */
export function upperBound95(trials: number): number {
  return 1 - Math.pow(0.05, 1 / trials);
}

/** Contention never fails a layout; too little of it makes the layout's evidence inconclusive. */
export function checkContention(summary: ContentionSummary, minContendedWindows: number): CheckResult {
  const enough = summary.contended_windows >= Math.max(1, minContendedWindows);
  return {
    checker: 'contention',
    status: enough ? 'pass' : 'inconclusive',
    summary:
      `${formatCount(summary.contended_windows)} contended of ${formatCount(summary.windows)} refresh windows` +
      (enough ? '' : ` (need at least ${Math.max(1, minContendedWindows)})`),
    checked: summary.windows,
    violations: 0,
    first_violation: null,
  };
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
