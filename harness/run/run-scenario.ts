import { clientLabel } from '../client/client-profile.js';
import type { SessionProfile } from '../client/session.js';
import { countLayout, type LayoutCounters } from '../evidence/counters.js';
import { checkExpectations, judgeExpectations, type ExpectationCheck } from '../evidence/expectations.js';
import { judgeCompare, type Verdict, type VerdictResult } from '../evidence/verdict.js';
import { createRunClock } from '../journal/clock.js';
import type { JournalEvent, LayoutName } from '../journal/events.js';
import type { Journal } from '../journal/journal.js';
import type { IsolationName } from '../layout/layouts.js';
import { workloadMs, type Scenario } from '../scenario/scenario-schema.js';
import { runLayout } from './run-layout.js';
import { judgeRealClients } from '../evidence/real-client-verdict.js';
import type { RealClientSetup } from './real-client-driver.js';

/**
 * One scenario: the same workload once per layout the scenario names, in its order, then
 * counters, expectations and a verdict, all from the journal.
 */
export const REPORT_SCHEMA_VERSION = 2;

/**
 * How the verdict is reached. `expectations`: the scenario's `expect` (run, suite).
 * `compare`: the design note's gate over legacy and shared, where a legacy layout that lost
 * nothing makes the run inconclusive rather than failed (`tokenrace compare`).
 */
export type Judge = 'expectations' | 'compare';

export interface ScenarioResult {
  schema_version: number;
  run_id: string;
  scenario: string;
  description: string;
  sources: string[];
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
  expectations: ExpectationCheck[];
}

/** The result of `compare`: a scenario result whose layouts are legacy and shared. */
export type CompareResult = ScenarioResult;

export interface ScenarioContext {
  runId: string;
  reportDir: string;
  isolation: IsolationName;
  isolationReason: string;
  profile: SessionProfile;
  /** The scenario's seed, or the random one drawn for this run. */
  seed: number;
  judge: Judge;
  journal: Journal;
  signal: AbortSignal;
  onLayoutStart?: (layout: LayoutName) => void;
  /** Set when containers run the Claude Code binary or a command (real-client-driver.ts). */
  realClients?: RealClientSetup;
}

export async function runScenario(scenario: Scenario, context: ScenarioContext): Promise<ScenarioResult> {
  const clock = createRunClock();
  const { refreshLatency, ...server } = scenario.server;
  let interrupted = false;
  for (const layout of scenario.layouts) {
    if (context.signal.aborted) break;

    context.onLayoutStart?.(layout);
    const result = await runLayout({
      layout,
      isolation: context.isolation,
      workers: scenario.workers,
      durationMs: workloadMs(scenario),
      seed: context.seed,
      tokenTtlMs: scenario.tokenTtl,
      refreshMarginMs: scenario.refreshMargin,
      refreshLatencyMs: refreshLatency,
      server,
      apiIntervalMs: scenario.workload.apiInterval,
      requestTimeoutMs: scenario.client.requestTimeout,
      profile: context.profile,
      journal: context.journal,
      clock,
      signal: context.signal,
      ...(context.realClients ? { realClients: context.realClients } : {}),
    });
    interrupted ||= result.interrupted;
  }
  interrupted ||= context.signal.aborted;
  return summarize(context.journal.events, scenario, context, interrupted);
}

/** Pure: the result of a run, from its journal and scenario. `tokenrace report` reuses it. */
export function summarize(
  events: readonly JournalEvent[],
  scenario: Scenario,
  context: Pick<ScenarioContext, 'runId' | 'reportDir' | 'isolation' | 'isolationReason' | 'profile' | 'seed' | 'judge'>,
  interrupted: boolean,
): ScenarioResult {
  const layouts: Partial<Record<LayoutName, LayoutCounters>> = {};
  for (const layout of scenario.layouts) {
    if (events.some((event) => event.type === 'layout_start' && event.layout === layout)) {
      layouts[layout] = countLayout(events, layout);
    }
  }
  const expectations = checkExpectations(scenario.expect, layouts);
  const hasReal = Object.values(layouts).some((counters) => counters.real);
  const judged: VerdictResult =
    context.judge === 'expectations'
      ? judgeExpectations(expectations)
      : hasReal
        ? judgeRealClients(layouts)
        : judgeCompare(layouts.legacy, layouts.shared);
  const verdict = interrupted ? 'inconclusive' : judged.verdict;
  const reasons = interrupted ? ['the run was interrupted', ...judged.reasons] : judged.reasons;

  return {
    schema_version: REPORT_SCHEMA_VERSION,
    run_id: context.runId,
    scenario: scenario.name,
    description: scenario.description,
    sources: scenario.sources,
    verdict,
    reasons,
    interrupted,
    isolation: context.isolation,
    isolation_reason: context.isolationReason,
    profile: clientLabel(context.profile),
    seed: context.seed,
    workers: scenario.workers,
    duration_ms: workloadMs(scenario),
    reportDir: context.reportDir,
    layouts,
    expectations,
  };
}
