import type { SessionProfile } from '../client/session.js';
import { DEFAULT_SERVER_SETTINGS, type ServerSettings } from '../endpoint/server-settings.js';
import { countLayout, type LayoutCounters } from '../evidence/counters.js';
import { judgeCompare, type Verdict } from '../evidence/verdict.js';
import { createRunClock } from '../journal/clock.js';
import type { JournalEvent, LayoutName } from '../journal/events.js';
import type { Journal } from '../journal/journal.js';
import { ALL_LAYOUTS, LAYOUTS, type IsolationName } from '../layout/layouts.js';
import { judgeRealClients } from '../evidence/real-client-verdict.js';
import type { RealClientSetup } from './real-client-driver.js';
import type { CompareOptions } from '../scenario/options.js';
import { runLayout } from './run-layout.js';

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
  /** The endpoint's policy and faults; the strict server when absent. */
  server?: ServerSettings;
  journal: Journal;
  signal: AbortSignal;
  onLayoutStart?: (layout: LayoutName) => void;
  /** Set when containers run the Claude Code binary or a command (real-client-driver.ts). */
  realClients?: RealClientSetup;
}

export async function runCompare(options: CompareOptions, context: CompareContext): Promise<CompareResult> {
  const clock = createRunClock();
  let interrupted = false;
  for (const layout of options.layouts ?? LAYOUTS) {
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
      ...(context.realClients ? { realClients: context.realClients } : {}),
    });
    interrupted ||= result.interrupted;
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
  for (const layout of ALL_LAYOUTS) {
    if (events.some((event) => event.type === 'layout_start' && event.layout === layout)) {
      layouts[layout] = countLayout(events, layout);
    }
  }
  const hasReal = Object.values(layouts).some((counters) => counters.real);
  const judged = hasReal ? judgeRealClients(layouts) : judgeCompare(layouts.legacy, layouts.shared);
  const verdict = interrupted ? 'inconclusive' : judged.verdict;
  const reasons = interrupted ? ['the run was interrupted', ...judged.reasons] : judged.reasons;

  return {
    schema_version: REPORT_SCHEMA_VERSION,
    run_id: context.runId,
    verdict,
    reasons,
    interrupted,
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
