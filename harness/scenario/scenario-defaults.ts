import type { LayoutName } from '../journal/events.js';
import type { Milliseconds } from './fields.js';

/**
 * Every default of a scenario, in one place. The scenario schema fills omitted fields from here,
 * the CLI shows these as its flags' defaults, and the built-in `compare` scenario is nothing but
 * these values. Time is compressed: real access tokens live ~8 h and clients refresh 5 min early;
 * here they live a second, so a few seconds of workload cover several refresh cycles. Lock
 * timings (`stale`, `update`, retries) are never compressed: faults are defined relative to them.
 */
export const SCENARIO_DEFAULTS = {
  workers: 8,
  duration: 4_000 as Milliseconds,
  layouts: ['legacy', 'shared'] as LayoutName[],
  isolation: 'auto' as 'auto' | 'namespace' | 'paths',
  tokenTtl: 1_000 as Milliseconds,
  refreshMargin: 400 as Milliseconds,
  server: {
    refreshLatency: 50 as Milliseconds,
  },
  client: {
    profile: 'beside-only' as const,
    requestTimeout: 5_000 as Milliseconds,
  },
  workload: {
    apiInterval: 25 as Milliseconds,
  },
} as const;

/** Where a run writes `<run id>/report.json` etc. unless told otherwise (not part of a scenario). */
export const DEFAULT_OUT_DIR = 'reports';

/**
 * proper-lockfile silently raises `stale` below 2 s to 2 s, and `update` below 1 s (or above
 * stale/2) into that range. A scenario asking for such values would measure something other than
 * what it says, so they are refused instead (see lockTimingIssues).
 */
export const LOCKFILE_MIN_STALE_MS: Milliseconds = 2_000;
export const LOCKFILE_MIN_UPDATE_MS: Milliseconds = 1_000;
