import { countLayout, type LayoutCounters } from '../evidence/counters.js';
import { layoutHistory } from '../evidence/history.js';
import { judgeLayout, type LayoutEvidence } from '../evidence/layout-evidence.js';
import { layoutMetrics } from '../evidence/metrics.js';
import { evaluateThreshold, parseThreshold } from '../evidence/thresholds.js';
import { checkExpectations, judgeExpectations } from '../evidence/expectations.js';
import { judgeRun, worstOf } from '../evidence/verdict.js';
import { judgeRealClients } from '../evidence/real-client-verdict.js';
import { ExitCode, TokenraceError } from '../errors.js';
import type { JournalEvent, LayoutName, RunStartEvent } from '../journal/events.js';
import { withHarnessFaults } from './harness-faults.js';
import { REPORT_SCHEMA_VERSION, type RunReport } from './run-report.js';

/**
 * The whole report as a pure function of the journal (and where it is written). `compare` calls
 * it on the journal it just wrote, `tokenrace report` on a journal read back from anywhere; so a
 * report rebuilt from a copied events.ndjson equals the original in every field but `reportDir`.
 */
export function buildReport(events: readonly JournalEvent[], reportDir: string): RunReport {
  const start = events.find((event): event is RunStartEvent => event.type === 'run_start');
  if (!start) throw new TokenraceError('ERR_JOURNAL_UNREADABLE', 'journal: got no run_start event, expected a tokenrace journal');
  const missing = missingRunStartFields(start);
  if (missing) {
    throw new TokenraceError('ERR_JOURNAL_UNREADABLE', `journal: got a run_start without ${missing}, expected a tokenrace journal`);
  }

  const end = events.find((event) => event.type === 'run_end');
  const planned = start.scenario.layouts;
  const ran = planned.filter((layout) => events.some((event) => event.type === 'layout_start' && event.layout === layout));
  const interrupted =
    end?.type !== 'run_end' ||
    end.interrupted ||
    events.some((event) => event.type === 'layout_end' && event.interrupted);

  const layouts: Partial<Record<LayoutName, LayoutCounters>> = {};
  const evidence: Partial<Record<LayoutName, LayoutEvidence>> = {};
  const metrics: Partial<Record<LayoutName, Record<string, number | null>>> = {};
  for (const layout of ran) {
    const history = layoutHistory(events, layout);
    layouts[layout] = countLayout(history, layout);
    evidence[layout] = judgeLayout(history, { minContendedWindows: start.gate.min_contended_windows });
    metrics[layout] = layoutMetrics(layouts[layout]!, evidence[layout]!);
  }
  const thresholds = start.gate.thresholds.map((source) => evaluateThreshold(parseThreshold(source), metrics));
  const expectations = checkExpectations(start.scenario.expect, layouts);
  // `compare` judges by the legacy-vs-shared gate and the checkers; a scenario run by what the
  // scenario expects (its layouts may be meant to fail), with thresholds on top of either.
  // Real clients answer per layout whether they lose sessions; the gate is the shared layout.
  const hasReal = Object.values(layouts).some((counters) => counters.real);
  const judged =
    start.scenario.judge === 'compare' && hasReal
      ? interruptedOr(judgeRealClients(layouts), interrupted)
      : start.scenario.judge === 'compare'
      ? judgeRun({ layouts: planned, evidence, thresholds, interrupted })
      : worstOf(judgeExpectations(expectations), judgeRun({ layouts: [], evidence: {}, thresholds, interrupted }));

  const report = {
    schema_version: REPORT_SCHEMA_VERSION,
    run_id: start.run_id,
    scenario: start.scenario.name,
    description: start.scenario.description,
    sources: start.scenario.sources,
    verdict: judged.verdict,
    reasons: judged.reasons,
    interrupted,
    isolation: start.isolation,
    isolation_reason: start.isolation_reason,
    profile: start.profile,
    seed: start.seed,
    workers: start.workers,
    duration_ms: start.duration_ms,
    reportDir,
    layouts,
    expectations,
    command: start.command,
    gate: start.gate,
    headline: ran.map((layout) => `${layout}: ${evidence[layout]!.headline}`),
    evidence,
    thresholds,
    exit_code: exitCodeOf(judged.verdict, interrupted, start.gate.allow_inconclusive),
  };
  return withHarnessFaults(report, events);
}

export function exitCodeOf(verdict: RunReport['verdict'], interrupted: boolean, allowInconclusive: boolean): number {
  if (interrupted) return ExitCode.interrupted;
  if (verdict === 'inconclusive' && allowInconclusive) return ExitCode.pass;
  return ExitCode[verdict];
}

function interruptedOr(judged: { verdict: RunReport['verdict']; reasons: string[] }, interrupted: boolean) {
  if (!interrupted) return judged;
  return { verdict: 'inconclusive' as const, reasons: ['the run was interrupted', ...judged.reasons] };
}

/** A hand-made or foreign journal may carry a bare run_start: name the first field a report needs. */
function missingRunStartFields(start: RunStartEvent): string | null {
  const fields = start as unknown as Record<string, unknown>;
  const scenario = fields.scenario as Record<string, unknown> | undefined;
  if (typeof fields.run_id !== 'string') return 'run_id';
  if (typeof fields.workers !== 'number') return 'workers';
  if (typeof scenario !== 'object' || scenario === null) return 'scenario';
  if (!Array.isArray(scenario.layouts)) return 'scenario.layouts';
  if (typeof scenario.name !== 'string') return 'scenario.name';
  return null;
}
