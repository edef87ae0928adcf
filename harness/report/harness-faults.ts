import { ExitCode } from '../errors.js';
import type { JournalEvent, LayoutName } from '../journal/events.js';
import type { RunReport } from './run-report.js';

/**
 * Faults of the harness itself (a container that died on its own, a run stopped by
 * --time-budget, an error that ended the run early), as the journal records them:
 * `worker_crash` events and run_end's `timeBudgetExceededMs` and `harnessError`. Read from the
 * journal, so `tokenrace report` rebuilds them exactly.
 */
export interface WorkerCrashRecord {
  layout: LayoutName;
  worker: number;
  exitCode: number | null;
  signal: string | null;
  /** The type of the last event the worker's client sent: what it was doing when it died. */
  lastEvent: string | null;
  stderrTail: string;
}

export interface HarnessFaults {
  /** Containers that died on their own; the run stopped at the first and the report is partial. */
  crashes: WorkerCrashRecord[];
  /** The run was stopped because it outlived --time-budget. */
  time_budget_exceeded: boolean;
  /** An error in the harness itself ended the run early; null when none did. */
  harness_error: { code: string; message: string } | null;
}

/** Marks a report partial (inconclusive, exit 4) when the harness itself failed. */
export function withHarnessFaults<T extends Omit<RunReport, keyof HarnessFaults>>(
  report: T,
  events: readonly JournalEvent[],
): T & HarnessFaults {
  const crashes = events.flatMap((event) => {
    if (event.type !== 'worker_crash') return [];
    const { layout, worker, exitCode, signal, lastEvent, stderrTail } = event;
    return [{ layout, worker, exitCode, signal, lastEvent, stderrTail }];
  });
  const end = events.find((event) => event.type === 'run_end');
  const overBudgetMs = end?.type === 'run_end' ? end.timeBudgetExceededMs ?? null : null;
  const harnessError = end?.type === 'run_end' ? end.harnessError ?? null : null;
  const why = [
    ...(harnessError ? [`the run ended early on a harness error: ${harnessError.code}: ${harnessError.message}`] : []),
    ...(overBudgetMs !== null ? [`the run outlived its time budget of ${overBudgetMs} ms and was stopped`] : []),
    ...crashes.map((crash) => `worker ${crash.worker} (${crash.layout}) died on its own (${crash.signal ?? `exit ${crash.exitCode}`})`),
  ];
  const faults = { crashes, time_budget_exceeded: overBudgetMs !== null, harness_error: harnessError };
  if (why.length === 0) return { ...report, ...faults };

  // A stop by the budget is not a user's interruption: the report says what stopped it instead.
  const interrupted = overBudgetMs !== null ? false : report.interrupted;
  const reasons = [...why, ...report.reasons.filter((line) => overBudgetMs === null || line !== 'the run was interrupted')];
  const exit_code = interrupted ? ExitCode.interrupted : ExitCode.harnessError;
  return { ...report, interrupted, verdict: 'inconclusive', reasons, exit_code, ...faults };
}
