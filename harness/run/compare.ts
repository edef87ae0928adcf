import type { SessionProfile } from '../client/session.js';
import { countLayout, type LayoutCounters } from '../evidence/counters.js';
import { judgeCompare, type Verdict } from '../evidence/verdict.js';
import { createRunClock } from '../journal/clock.js';
import type { JournalEvent, LayoutName } from '../journal/events.js';
import type { Journal } from '../journal/journal.js';
import { LAYOUTS, type IsolationName } from '../layout/layouts.js';
import type { CompareOptions } from '../scenario/options.js';
import { runLayout, type WorkerCrash } from './run-layout.js';

/**
 * `compare`: the same workload once per layout, then counters and a verdict from the journal.
 */
export const REPORT_SCHEMA_VERSION = 1;

export interface CompareResult {
  schema_version: number;
  run_id: string;
  verdict: Verdict;
  reasons: string[];
  interrupted: boolean;
  /** Containers that died on their own; the run stopped at the first and the report is partial. */
  crashes: WorkerCrash[];
  /** The run was stopped because it outlived --time-budget. */
  time_budget_exceeded: boolean;
  isolation: IsolationName;
  isolation_reason: string;
  profile: string;
  seed: number;
  workers: number;
  duration_ms: number;
  reportDir: string;
  layouts: Partial<Record<LayoutName, LayoutCounters>>;
}

export interface CompareContext {
  runId: string;
  reportDir: string;
  isolation: IsolationName;
  isolationReason: string;
  profile: SessionProfile;
  journal: Journal;
  signal: AbortSignal;
  /** `--config-dir`: stores are kept under this directory (created for this run). */
  storeRoot?: string | null;
  onLayoutStart?: (layout: LayoutName) => void;
}

export async function runCompare(options: CompareOptions, context: CompareContext): Promise<CompareResult> {
  const clock = createRunClock();
  let interrupted = false;
  const crashes: WorkerCrash[] = [];
  for (const layout of LAYOUTS) {
    if (context.signal.aborted || crashes.length > 0) break;

    context.onLayoutStart?.(layout);
    const result = await runLayout({
      ...options,
      layout,
      isolation: context.isolation,
      profile: context.profile,
      journal: context.journal,
      clock,
      signal: context.signal,
      storeRoot: context.storeRoot ?? null,
    });
    interrupted ||= result.interrupted;
    crashes.push(...result.crashes);
  }
  interrupted ||= context.signal.aborted;
  return summarize(context.journal.events, options, context, interrupted);
}

/** Pure: the result of a run, from its journal and settings. `tokenrace report` reuses it. */
export function summarize(
  events: readonly JournalEvent[],
  options: Pick<CompareOptions, 'seed' | 'workers' | 'durationMs'>,
  context: Pick<CompareContext, 'runId' | 'reportDir' | 'isolation' | 'isolationReason' | 'profile'>,
  interrupted: boolean,
): CompareResult {
  const layouts: Partial<Record<LayoutName, LayoutCounters>> = {};
  for (const layout of LAYOUTS) {
    if (events.some((event) => event.type === 'layout_start' && event.layout === layout)) {
      layouts[layout] = countLayout(events, layout);
    }
  }
  const judged = judgeCompare(layouts.legacy, layouts.shared);
  const crashes = events.filter((event) => event.type === 'worker_crash').map(({ t: _t, type: _type, ...crash }) => crash);
  const partial = interrupted || crashes.length > 0;
  const verdict = partial ? 'inconclusive' : judged.verdict;
  const why = [
    ...(interrupted ? ['the run was interrupted'] : []),
    ...crashes.map((crash) => `worker ${crash.worker} (${crash.layout}) died on its own (${crash.signal ?? `exit ${crash.exitCode}`})`),
  ];
  const reasons = [...why, ...judged.reasons];

  return {
    schema_version: REPORT_SCHEMA_VERSION,
    run_id: context.runId,
    verdict,
    reasons,
    interrupted,
    crashes,
    time_budget_exceeded: false,
    isolation: context.isolation,
    isolation_reason: context.isolationReason,
    profile: context.profile.name,
    seed: options.seed,
    workers: options.workers,
    duration_ms: options.durationMs,
    reportDir: context.reportDir,
    layouts,
  };
}
