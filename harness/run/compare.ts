import type { SessionProfile } from '../client/session.js';
import { DEFAULT_SERVER_SETTINGS, type ServerSettings } from '../endpoint/server-settings.js';
import { createRunClock } from '../journal/clock.js';
import type { GateSettings, LayoutName, RunStartEvent } from '../journal/events.js';
import type { Journal } from '../journal/journal.js';
import { LAYOUTS, type IsolationName } from '../layout/layouts.js';
import { DEFAULT_MIN_CONTENDED_WINDOWS } from '../scenario/gate-options.js';
import type { CompareOptions } from '../scenario/options.js';
import { buildReport } from '../report/build-report.js';
import type { RunReport } from '../report/run-report.js';
import { runLayout } from './run-layout.js';

/**
 * `compare`: the same workload once per layout. Everything goes into the journal, framed by a
 * `run_start` (the run's settings and gate) and a `run_end`; the report is built from it.
 */
export type CompareResult = RunReport;

export interface CompareContext {
  runId: string;
  reportDir: string;
  isolation: IsolationName;
  isolationReason: string;
  profile: SessionProfile;
  /** The endpoint's policy and faults; the strict server when absent. */
  server?: ServerSettings;
  journal: Journal;
  signal: AbortSignal;
  gate?: GateSettings;
  onLayoutStart?: (layout: LayoutName) => void;
}

export const DEFAULT_GATE: GateSettings = {
  thresholds: [],
  allow_inconclusive: false,
  min_contended_windows: DEFAULT_MIN_CONTENDED_WINDOWS,
};

export async function runCompare(options: CompareOptions, context: CompareContext): Promise<CompareResult> {
  const clock = createRunClock();
  context.journal.append(runStartEvent(options, context, clock.originEpochMs));
  let interrupted = false;
  for (const layout of LAYOUTS) {
    if (context.signal.aborted) break;

    context.onLayoutStart?.(layout);
    const result = await runLayout({
      ...options,
      layout,
      isolation: context.isolation,
      profile: context.profile,
      server: context.server ?? DEFAULT_SERVER_SETTINGS,
      journal: context.journal,
      clock,
      signal: context.signal,
    });
    interrupted ||= result.interrupted;
  }
  interrupted ||= context.signal.aborted;
  context.journal.append({ t: clock.now(), type: 'run_end', interrupted });
  return buildReport(context.journal.events, context.reportDir);
}

/** The journal's first line: every fact of the run the report needs and no event carries. */
export function runStartEvent(
  options: Pick<CompareOptions, 'seed' | 'workers' | 'durationMs'>,
  context: Pick<CompareContext, 'runId' | 'isolation' | 'isolationReason' | 'profile' | 'gate'>,
  originEpochMs: number,
): RunStartEvent {
  return {
    t: 0,
    type: 'run_start',
    run_id: context.runId,
    command: 'compare',
    isolation: context.isolation,
    isolation_reason: context.isolationReason,
    profile: context.profile.name,
    seed: options.seed,
    workers: options.workers,
    duration_ms: options.durationMs,
    origin_epoch_ms: originEpochMs,
    gate: context.gate ?? DEFAULT_GATE,
  };
}
