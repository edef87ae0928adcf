import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ExitCode, TokenraceError } from '../errors.js';
import { chooseIsolation, type IsolationChoice } from '../isolation/isolation.js';
import type { GateSettings } from '../journal/events.js';
import { Journal } from '../journal/journal.js';
import { JOURNAL_FILE, readJournal } from '../journal/read-journal.js';
import { buildReport } from '../report/build-report.js';
import { writeReports } from '../report/write-reports.js';
import { fleetLabel, runScenario, type Judge, type ScenarioResult } from '../run/run-scenario.js';
import { workloadMs, type Scenario } from '../scenario/scenario-schema.js';
import { createProgress } from './progress.js';
import type { HarnessFaults } from '../report/harness-faults.js';
import { checkWritableDir } from '../safety/output-preflight.js';
import { adoptRunMarker } from '../safety/run-marker.js';
import { guardConfigDir } from '../safety/store-guard.js';
import { OVERWRITE_REAL_STORE_FLAG, timeBudgetFor, type RunSafety } from '../scenario/options.js';
import { createReportDir, makeDirectories, newRunId, removeReportDir } from './report-dir.js';
import { clientRequestFor, prepareRealClients } from './real-client-setup.js';
import { renderResultTable } from '../report/real-client-table.js';
import { describeSpec } from '../client/client-spec.js';
import type { RealClientSetup } from '../run/real-client-driver.js';
import type { ClientFlags } from '../scenario/options.js';
import { shownPath } from './shown-path.js';

export interface CommandIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  signal: AbortSignal;
  /** Whether stderr is an interactive terminal (progress is drawn only then). */
  stderrIsTty?: boolean;
}

export interface RunSettings extends Partial<RunSafety> {
  judge: Judge;
  out: string;
  json: boolean;
  /** The client flags; absent or builtin: the scenario's client decides. */
  clients?: ClientFlags;
  /** The scenario file's directory: where its exec commands start. */
  scenarioDir?: string;
  gate?: GateSettings;
}

/**
 * `run` and `compare`: one scenario, its reports written, its table printed. Returns the exit
 * code; throws TokenraceError for usage problems before anything has started.
 */
export async function runCommand(scenario: Scenario, settings: RunSettings, io: CommandIo): Promise<number> {
  if (settings.configDir) {
    const overridden = settings.overwriteRealStore === true;
    guardConfigDir(settings.configDir, { overrideFlag: OVERWRITE_REAL_STORE_FLAG, overridden });
  }
  const isolation = chooseIsolation(scenario.isolation);
  const request = clientRequestFor(settings.clients, scenario, settings.scenarioDir);
  const real = await prepareRealClients(request, scenario.layouts, isolation.isolation, io.stderr);
  if (real.status === 'reexec') return real.exitCode;
  const realClients = real.status === 'ready' ? real.setup : undefined;
  const runId = newRunId();
  const reportDir = await createReportDir(settings.out, runId);
  const storeRoot = await preflight(settings.configDir ?? null, reportDir, runId);
  const timeBudgetMs = settings.timeBudgetMs ?? null;
  const prepared = { ...settings, isolation, runId, reportDir, storeRoot, timeBudgetMs, realClients };
  const result = await runScenarioToReports(scenario, prepared, io);

  const table = renderResultTable(result);
  if (settings.json) io.stdout(JSON.stringify(result) + '\n');
  else io.stdout(table + `\nreport: ${shownPath(reportDir)}\n`);
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

    await makeDirectories(configDir).catch((error: NodeJS.ErrnoException) => {
      const shown = JSON.stringify(configDir);
      throw new TokenraceError('ERR_OUTPUT_UNWRITABLE', `--config-dir: cannot create ${shown} (${error.code})`);
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
function warnAboutFaults(result: ScenarioResult & Partial<HarnessFaults>, io: CommandIo): void {
  for (const crash of result.crashes ?? []) {
    const how = crash.signal ? `killed by ${crash.signal}` : `exit code ${crash.exitCode}`;
    io.stderr(
      `error ERR_WORKER_CRASHED: worker ${crash.worker} (${crash.layout}) died on its own, ${how}, ` +
        `last event ${crash.lastEvent ?? 'none'}; the report is partial\n`,
    );
  }
  if (result.time_budget_exceeded === true) {
    io.stderr('error ERR_TIME_BUDGET_EXCEEDED: --time-budget: the run outlived its budget and was stopped; the report is partial\n');
  }
}

export interface PreparedRun {
  judge: Judge;
  isolation: IsolationChoice;
  runId: string;
  reportDir: string;
  realClients?: RealClientSetup | undefined;
  gate?: GateSettings;
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
): Promise<ScenarioResult & HarnessFaults> {
  const { isolation, reportDir } = prepared;
  adoptRunMarker(prepared.runId);
  const journalFile = path.join(reportDir, JOURNAL_FILE);
  const progress = createProgress({ isTty: io.stderrIsTty ?? false, env: process.env, write: io.stderr });
  const journal = new Journal(journalFile, (event) => progress.onEvent(event));
  const seed = scenario.seed ?? Math.floor(Math.random() * 2 ** 31);
  io.stderr(
    `tokenrace ${scenario.name}: ${scenario.workers} workers × ${workloadMs(scenario)} ms per layout ` +
      `(${scenario.layouts.join(', ')}), isolation ${isolation.isolation} (${isolation.reason}), ` +
      `client ${fleetLabel(scenario, prepared.realClients)}, seed ${seed}\n`,
  );
  if (prepared.realClients) {
    const { specs, route, routeReason } = prepared.realClients;
    io.stderr(`clients: ${specs.map(describeSpec).join(', ')}; network: ${route} (${routeReason})\n`);
  }

  const budgetMs = timeBudgetFor(prepared.timeBudgetMs ?? null, workloadMs(scenario), scenario.layouts.length, scenario.workers);
  const budget = AbortSignal.timeout(budgetMs);
  let failure: { error: unknown } | null = null;
  try {
    await runScenario(scenario, {
      runId: prepared.runId,
      reportDir,
      isolation: isolation.isolation,
      isolationReason: isolation.reason,
      seed,
      judge: prepared.judge,
      gate: prepared.gate,
      journal,
      signal: AbortSignal.any([io.signal, budget]),
      storeRoot: prepared.storeRoot ?? null,
      ...(prepared.realClients ? { realClients: prepared.realClients } : {}),
      overBudgetMs: () => (budget.aborted && !io.signal.aborted ? budgetMs : null),
      onLayoutStart: (layout) => progress.startLayout(layout, workloadMs(scenario)) || io.stderr(`running ${layout}…\n`),
    });
  } catch (error) {
    failure = { error };
  } finally {
    progress.stop();
    await journal.close();
  }
  if (failure) {
    await writePartialReports(journalFile, reportDir, io);
    throw failure.error;
  }
  // The report is built from the journal as written, exactly as `tokenrace report` rebuilds it.
  const events = await readJournal(journalFile);
  const result = buildReport(events, reportDir);
  await writeReports(result, events);
  return result;
}

/**
 * After a harness error the journal ends with a run_end that names it; the reports of what ran
 * are written from it, marked partial. A journal that cannot be read leaves the error alone to
 * be reported: it is the one that matters.
 */
async function writePartialReports(journalFile: string, reportDir: string, io: CommandIo): Promise<void> {
  try {
    const events = await readJournal(journalFile);
    await writeReports(buildReport(events, reportDir), events);
    io.stderr(`partial report: ${shownPath(reportDir)}\n`);
  } catch {
    // Nothing more to write; the caller reports the harness error.
  }
}

/** The gate's exit code; `--allow-inconclusive` (kept in the report's gate) lets 3 through. */
export function exitCodeFor(
  result: Pick<ScenarioResult, 'interrupted' | 'verdict' | 'gate'> & Partial<HarnessFaults>,
): number {
  if (result.interrupted) return ExitCode.interrupted;
  const crashed = (result.crashes?.length ?? 0) > 0;
  const harnessFault = crashed || result.time_budget_exceeded === true || Boolean(result.harness_error);
  if (harnessFault) return ExitCode.harnessError;
  if (result.verdict === 'inconclusive' && result.gate.allow_inconclusive) return ExitCode.pass;
  return ExitCode[result.verdict];
}
