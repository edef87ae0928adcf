import { clientLabel } from '../client/client-profile.js';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ExitCode, TokenraceError } from '../errors.js';
import { chooseIsolation, type IsolationChoice } from '../isolation/isolation.js';
import { Journal } from '../journal/journal.js';
import { renderTextTable } from '../report/table.js';
import { writeReports } from '../report/write-reports.js';
import { runScenario, type Judge, type ScenarioResult } from '../run/run-scenario.js';
import { resolveClientProfile } from '../scenario/scenario-client.js';
import { workloadMs, type Scenario } from '../scenario/scenario-schema.js';
import { checkWritableDir } from '../safety/output-preflight.js';
import { adoptRunMarker } from '../safety/run-marker.js';
import { guardConfigDir } from '../safety/store-guard.js';
import { OVERWRITE_REAL_STORE_FLAG, timeBudgetFor, type RunSafety } from '../scenario/options.js';
import { createReportDir, newRunId, removeReportDir } from './report-dir.js';

export interface CommandIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  signal: AbortSignal;
}

export interface RunSettings extends Partial<RunSafety> {
  judge: Judge;
  out: string;
  json: boolean;
}

/**
 * `run` and `compare`: one scenario, its reports written, its table printed. Returns the exit
 * code; throws TokenraceError for usage problems before anything has started.
 */
export async function runCommand(scenario: Scenario, settings: RunSettings, io: CommandIo): Promise<number> {
  if (settings.configDir) {
    guardConfigDir(settings.configDir, { overrideFlag: OVERWRITE_REAL_STORE_FLAG, overridden: settings.overwriteRealStore === true });
  }
  const isolation = chooseIsolation(scenario.isolation);
  const runId = newRunId();
  const reportDir = await createReportDir(settings.out, runId);
  const storeRoot = await preflight(settings.configDir ?? null, reportDir, runId);
  const prepared = { ...settings, isolation, runId, reportDir, storeRoot, timeBudgetMs: settings.timeBudgetMs ?? null };
  const result = await runScenarioToReports(scenario, prepared, io);

  if (settings.json) io.stdout(JSON.stringify(result) + '\n');
  else io.stdout(renderTextTable(result) + `\nreport: ${path.relative(process.cwd(), reportDir) || reportDir}\n`);
  warnAboutFaults(result, io);
  return exitCodeFor(result);
}

/**
 * Everything the run will write to is checked before a worker starts: the report dir and the
 * temp dir (writable, with room), and the --config-dir store root, which is created fresh so the
 * harness only ever writes in a directory it made. A failed check leaves nothing behind.
 */
async function preflight(configDir: string | null, reportDir: string, runId: string): Promise<string | null> {
  try {
    await checkWritableDir(reportDir, '--out');
    await checkWritableDir(tmpdir(), 'TMPDIR');
    if (!configDir) return null;

    await mkdir(configDir, { recursive: true }).catch((error: NodeJS.ErrnoException) => {
      throw new TokenraceError('ERR_OUTPUT_UNWRITABLE', `--config-dir: cannot create ${JSON.stringify(configDir)} (${error.code})`);
    });
    await checkWritableDir(configDir, '--config-dir');
    const storeRoot = path.resolve(configDir, runId);
    await mkdir(storeRoot);
    return storeRoot;
  } catch (error) {
    await removeReportDir(reportDir);
    throw error;
  }
}

/** Faults of the harness itself go to stderr as `error` lines after the (partial) result. */
function warnAboutFaults(result: ScenarioResult, io: CommandIo): void {
  for (const crash of result.crashes) {
    const how = crash.signal ? `killed by ${crash.signal}` : `exit code ${crash.exitCode}`;
    io.stderr(
      `error ERR_WORKER_CRASHED: worker ${crash.worker} (${crash.layout}) died on its own, ${how}, ` +
        `last event ${crash.lastEvent ?? 'none'}; the report is partial\n`,
    );
  }
  if (result.time_budget_exceeded) {
    io.stderr(`error ERR_TIME_BUDGET_EXCEEDED: --time-budget: the run outlived its budget and was stopped; the report is partial\n`);
  }
}

export interface PreparedRun {
  judge: Judge;
  isolation: IsolationChoice;
  runId: string;
  reportDir: string;
  /** `--config-dir`: where this run's stores are kept. */
  storeRoot?: string | null;
  /** `--time-budget`; null or absent: derived from the workload. */
  timeBudgetMs?: number | null;
}

/** Runs a scenario into `reportDir` (events.ndjson, report.json, report.md); prints the header. */
export async function runScenarioToReports(
  scenario: Scenario,
  prepared: PreparedRun,
  io: CommandIo,
): Promise<ScenarioResult> {
  const { isolation, reportDir } = prepared;
  adoptRunMarker(prepared.runId);
  const journal = new Journal(path.join(reportDir, 'events.ndjson'));
  const profile = resolveClientProfile(scenario.client);
  const seed = scenario.seed ?? Math.floor(Math.random() * 2 ** 31);
  io.stderr(
    `tokenrace ${scenario.name}: ${scenario.workers} workers × ${workloadMs(scenario)} ms per layout ` +
      `(${scenario.layouts.join(', ')}), isolation ${isolation.isolation} (${isolation.reason}), ` +
      `profile ${clientLabel(profile)}, seed ${seed}\n`,
  );

  const budgetMs = timeBudgetFor(prepared.timeBudgetMs ?? null, workloadMs(scenario), scenario.layouts.length);
  const budget = AbortSignal.timeout(budgetMs);
  let result: ScenarioResult;
  try {
    result = await runScenario(scenario, {
      runId: prepared.runId,
      reportDir,
      isolation: isolation.isolation,
      isolationReason: isolation.reason,
      profile,
      seed,
      judge: prepared.judge,
      journal,
      signal: AbortSignal.any([io.signal, budget]),
      storeRoot: prepared.storeRoot ?? null,
      onLayoutStart: (layout) => io.stderr(`running ${layout}…\n`),
    });
  } finally {
    await journal.close();
  }
  if (budget.aborted && !io.signal.aborted) result = overBudget(result, budgetMs);
  await writeReports(result);
  return result;
}

function overBudget(result: ScenarioResult, budgetMs: number): ScenarioResult {
  const reason = `the run outlived its time budget of ${budgetMs} ms and was stopped`;
  const reasons = [reason, ...result.reasons.filter((line) => line !== 'the run was interrupted')];
  return { ...result, interrupted: false, time_budget_exceeded: true, verdict: 'inconclusive', reasons };
}

export function exitCodeFor(
  result: Pick<ScenarioResult, 'interrupted' | 'verdict'> & Partial<Pick<ScenarioResult, 'crashes' | 'time_budget_exceeded'>>,
): number {
  if (result.interrupted) return ExitCode.interrupted;
  if ((result.crashes?.length ?? 0) > 0 || result.time_budget_exceeded === true) return ExitCode.harnessError;
  return ExitCode[result.verdict];
}
