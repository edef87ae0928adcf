/**
 * One clock for every process of a run. Each process measures milliseconds since the run's
 * origin, an epoch timestamp the coordinator picks and hands to every worker.
 *
 * `performance.timeOrigin + performance.now()` is a high-resolution wall-clock reading that all
 * processes on one machine share, so differences between processes are accurate to well under a
 * millisecond; unlike `Date.now()` it does not jump inside a process when the wall clock is
 * corrected. Known shortcoming: a wall-clock step between two processes' starts skews their
 * origins against each other; runs are seconds long, so this is rarely seen.
 */
export function epochNowMs(): number {
  return performance.timeOrigin + performance.now();
}

export interface RunClock {
  readonly originEpochMs: number;
  /** Milliseconds since the run's origin, fractional. */
  now(): number;
}

export function createRunClock(originEpochMs: number = epochNowMs()): RunClock {
  return {
    originEpochMs,
    now: () => round3(epochNowMs() - originEpochMs),
  };
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}
