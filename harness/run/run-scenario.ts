import { clientLabel } from '../client/client-profile.js';
import { describeSpec } from '../client/client-spec.js';
import { serializeError } from '../errors.js';
import { createRunClock, type RunClock } from '../journal/clock.js';
import type { GateSettings, LayoutName, RunStartEvent } from '../journal/events.js';
import type { Journal } from '../journal/journal.js';
import type { IsolationName } from '../layout/layouts.js';
import { buildReport } from '../report/build-report.js';
import type { RunReport } from '../report/run-report.js';
import { DEFAULT_MIN_CONTENDED_WINDOWS } from '../scenario/gate-options.js';
import { SCENARIO_DEFAULTS } from '../scenario/scenario-defaults.js';
import { workloadMs, type Scenario } from '../scenario/scenario-schema.js';
import { runLayout } from './run-layout.js';
import type { RealClientSetup } from './real-client-driver.js';

/**
 * One scenario: the same workload once per layout the scenario names, in its order. Everything
 * goes into the journal, framed by a `run_start` (the run's settings, the scenario's judging
 * facts and the gate) and a `run_end`; the result is built from the journal alone
 * (report/build-report.ts), as `tokenrace report` rebuilds it.
 */

/**
 * How the verdict is reached. `expectations`: the scenario's `expect` (run, suite).
 * `compare`: the design note's gate over legacy and shared, where a legacy layout that lost
 * nothing makes the run inconclusive rather than failed (`tokenrace compare`).
 */
export type Judge = 'expectations' | 'compare';

/** report.json: see report/run-report.ts for the fields and their versions. */
export type ScenarioResult = RunReport;

/** The result of `compare`: a scenario result whose layouts are legacy and shared. */
export type CompareResult = ScenarioResult;

export const DEFAULT_GATE: GateSettings = {
  thresholds: [],
  allow_inconclusive: false,
  min_contended_windows: DEFAULT_MIN_CONTENDED_WINDOWS,
};

export interface ScenarioContext {
  runId: string;
  reportDir: string;
  isolation: IsolationName;
  isolationReason: string;
  /** The scenario's seed, or the random one drawn for this run. */
  seed: number;
  judge: Judge;
  journal: Journal;
  signal: AbortSignal;
  /** `--config-dir`: stores are kept under this directory (created for this run). */
  storeRoot?: string | null;
  /** The gate: thresholds, inconclusive allowed, least contended windows. */
  gate?: GateSettings;
  onLayoutStart?: (layout: LayoutName) => void;
  /** Set when containers run the Claude Code binary or a command (real-client-driver.ts). */
  realClients?: RealClientSetup;
  /** The --time-budget in ms when it is what stopped the run, else null. */
  overBudgetMs?: () => number | null;
}

export async function runScenario(scenario: Scenario, context: ScenarioContext): Promise<ScenarioResult> {
  const clock = createRunClock();
  context.journal.append(runStartEvent(scenario, context, clock.originEpochMs));
  let interrupted: boolean;
  try {
    interrupted = await runLayouts(scenario, context, clock);
  } catch (error) {
    // The journal still gets its last line, so a partial report can be built from it (and
    // rebuilt by `tokenrace report`); the error goes on to the caller.
    const harnessError = serializeError(error);
    context.journal.append({ t: clock.now(), type: 'run_end', interrupted: context.signal.aborted, harnessError });
    throw error;
  }
  const overBudgetMs = context.overBudgetMs?.() ?? null;
  const budget = overBudgetMs !== null ? { timeBudgetExceededMs: overBudgetMs } : {};
  context.journal.append({ t: clock.now(), type: 'run_end', interrupted, ...budget });
  return buildReport(context.journal.events, context.reportDir);
}

/** Each layout in turn; returns whether the run was interrupted. */
async function runLayouts(scenario: Scenario, context: ScenarioContext, clock: RunClock): Promise<boolean> {
  const { refreshLatency, ...server } = scenario.server;
  let interrupted = false;
  let crashed = false;
  for (const layout of scenario.layouts) {
    // A container that died on its own ends the run: the report of what ran is partial.
    if (context.signal.aborted || crashed) break;

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
      requestTimeoutMs: scenario.client.requestTimeoutMs ?? SCENARIO_DEFAULTS.requestTimeout,
      profile: scenario.client,
      client: scenario.clients,
      workerFaults: scenario.faults,
      filesystems: scenario.filesystems,
      journal: context.journal,
      clock,
      signal: context.signal,
      storeRoot: context.storeRoot ?? null,
      ...(context.realClients ? { realClients: context.realClients } : {}),
    });
    interrupted ||= result.interrupted;
    crashed ||= result.crashes.length > 0;
  }
  return interrupted || context.signal.aborted;
}

/** The journal's first line: every fact of the run the report needs and no event carries. */
export function runStartEvent(
  scenario: Scenario,
  context: Pick<ScenarioContext, 'runId' | 'isolation' | 'isolationReason' | 'seed' | 'judge' | 'gate' | 'realClients'>,
  originEpochMs: number,
): RunStartEvent {
  return {
    t: 0,
    type: 'run_start',
    run_id: context.runId,
    command: context.judge === 'compare' ? 'compare' : 'run',
    isolation: context.isolation,
    isolation_reason: context.isolationReason,
    profile: fleetLabel(scenario, context.realClients),
    seed: context.seed,
    workers: scenario.workers,
    duration_ms: workloadMs(scenario),
    origin_epoch_ms: originEpochMs,
    gate: context.gate ?? DEFAULT_GATE,
    scenario: {
      name: scenario.name,
      description: scenario.description,
      sources: scenario.sources,
      layouts: [...scenario.layouts] as LayoutName[],
      judge: context.judge,
      expect: scenario.expect,
    },
  };
}

/**
 * The client(s) a scenario runs: `beside-only`, or `3×beside-only + 1×helper` for a mix. When the
 * flags chose real clients for a scenario that names none (`compare --client-cmd ...`), those.
 */
export function fleetLabel(scenario: Scenario, realClients?: Pick<RealClientSetup, 'specs'>): string {
  const namesRealClients = [scenario.client, ...(scenario.clients ?? []).map((entry) => entry.client)].some(
    (knobs) => knobs.kind !== 'builtin',
  );
  if (realClients && !namesRealClients) return [...new Set(realClients.specs.map(describeSpec))].join(', ');
  if (!scenario.clients) return clientLabel(scenario.client);
  return scenario.clients.map((entry) => `${entry.workers}×${clientLabel(entry.client)}`).join(' + ');
}
