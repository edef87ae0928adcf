import type { WorkerCrashRecord } from './harness-faults.js';
import type { LayoutCounters } from '../evidence/counters.js';
import type { ExpectationCheck } from '../evidence/expectations.js';
import type { LayoutEvidence } from '../evidence/layout-evidence.js';
import type { ThresholdResult } from '../evidence/thresholds.js';
import type { Verdict } from '../evidence/verdict.js';
import type { GateSettings, LayoutName } from '../journal/events.js';

/**
 * report.json. Versioned: a field is never renamed or given a new meaning without raising
 * `schema_version`; new fields may appear within a version. Version 1 had the fields up to
 * `layouts`; version 2 added the scenario's `scenario`, `description`, `sources` and
 * `expectations`; version 3 added `command`, `gate`, `headline`, `evidence`, `thresholds` and
 * `exit_code`. The README documents every field.
 */
export const REPORT_SCHEMA_VERSION = 3;

export interface RunReport {
  schema_version: number;
  run_id: string;
  scenario: string;
  description: string;
  sources: string[];
  verdict: Verdict;
  /** Why: failures first, then doubts, then what held. */
  reasons: string[];
  interrupted: boolean;
  isolation: string;
  isolation_reason: string;
  profile: string;
  seed: number;
  workers: number;
  duration_ms: number;
  /** Where this report was written. The one field that depends on where, not on the run. */
  reportDir: string;
  layouts: Partial<Record<LayoutName, LayoutCounters>>;
  expectations: ExpectationCheck[];
  command: string;
  gate: GateSettings;
  /** One line per layout, e.g. `shared: 0 invalid_grant in 1,240 contended windows (...)`. */
  headline: string[];
  evidence: Partial<Record<LayoutName, LayoutEvidence>>;
  thresholds: ThresholdResult[];
  /** The exit code the gate gives this report (see errors.ts ExitCode). */
  exit_code: number;
  /** Containers that died on their own (harness-faults.ts); empty when none did. */
  crashes: WorkerCrashRecord[];
  /** True when --time-budget stopped the run. */
  time_budget_exceeded: boolean;
  /** An error in the harness that ended the run early (exit 4), as `{ code, message }`; else null. */
  harness_error: { code: string; message: string } | null;
}
