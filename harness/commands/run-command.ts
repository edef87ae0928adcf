import { clientLabel } from '../client/client-profile.js';
import path from 'node:path';
import { ExitCode } from '../errors.js';
import { chooseIsolation, type IsolationChoice } from '../isolation/isolation.js';
import type { GateSettings } from '../journal/events.js';
import { Journal } from '../journal/journal.js';
import { JOURNAL_FILE, readJournal } from '../journal/read-journal.js';
import { buildReport } from '../report/build-report.js';
import { renderTextTable } from '../report/table.js';
import { writeReports } from '../report/write-reports.js';
import { runScenario, type Judge, type ScenarioResult } from '../run/run-scenario.js';
import { resolveClientProfile } from '../scenario/scenario-client.js';
import { workloadMs, type Scenario } from '../scenario/scenario-schema.js';
import { createProgress } from './progress.js';
import { createReportDir, newRunId } from './report-dir.js';
import { prepareRealClients } from './real-client-setup.js';
import { renderRealClientTable } from '../report/real-client-table.js';
import { describeSpec } from '../client/client-spec.js';
import type { RealClientSetup } from '../run/real-client-driver.js';
import type { ClientFlags } from '../scenario/options.js';

export interface CommandIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  signal: AbortSignal;
  /** Whether stderr is an interactive terminal (progress is drawn only then). */
  stderrIsTty?: boolean;
}

export interface RunSettings {
  judge: Judge;
  out: string;
  json: boolean;
  /** The client flags; absent or builtin: the built-in model. */
  clients?: ClientFlags;
  gate?: GateSettings;
}

/**
 * `run` and `compare`: one scenario, its reports written, its table printed. Returns the exit
 * code; throws TokenraceError for usage problems before anything has started.
 */
export async function runCommand(scenario: Scenario, settings: RunSettings, io: CommandIo): Promise<number> {
  const isolation = chooseIsolation(scenario.isolation);
  const real = settings.clients
    ? await prepareRealClients(settings.clients, scenario.layouts, isolation.isolation, io.stderr)
    : ({ status: 'builtin' } as const);
  if (real.status === 'reexec') return real.exitCode;
  const realClients = real.status === 'ready' ? real.setup : undefined;
  const runId = newRunId();
  const reportDir = await createReportDir(settings.out, runId);
  const result = await runScenarioToReports(scenario, { ...settings, isolation, runId, reportDir, realClients }, io);

  const hasReal = Object.values(result.layouts).some((counters) => counters.real);
  const table = hasReal ? renderRealClientTable(result) : renderTextTable(result);
  if (settings.json) io.stdout(JSON.stringify(result) + '\n');
  else io.stdout(table + `\nreport: ${path.relative(process.cwd(), reportDir) || reportDir}\n`);
  return exitCodeFor(result);
}

export interface PreparedRun {
  judge: Judge;
  isolation: IsolationChoice;
  runId: string;
  reportDir: string;
  realClients?: RealClientSetup | undefined;
  gate?: GateSettings;
}

/** Runs a scenario into `reportDir` (events.ndjson, report.json, report.md); prints the header. */
export async function runScenarioToReports(
  scenario: Scenario,
  prepared: PreparedRun,
  io: CommandIo,
): Promise<ScenarioResult> {
  const { isolation, reportDir } = prepared;
  const journalFile = path.join(reportDir, JOURNAL_FILE);
  const progress = createProgress({ isTty: io.stderrIsTty ?? false, env: process.env, write: io.stderr });
  const journal = new Journal(journalFile, progress.onEvent);
  const profile = resolveClientProfile(scenario.client);
  const seed = scenario.seed ?? Math.floor(Math.random() * 2 ** 31);
  io.stderr(
    `tokenrace ${scenario.name}: ${scenario.workers} workers × ${workloadMs(scenario)} ms per layout ` +
      `(${scenario.layouts.join(', ')}), isolation ${isolation.isolation} (${isolation.reason}), ` +
      `profile ${clientLabel(profile)}, seed ${seed}\n`,
  );
  if (prepared.realClients) {
    const { specs, route, routeReason } = prepared.realClients;
    io.stderr(`clients: ${specs.map(describeSpec).join(', ')}; network: ${route} (${routeReason})\n`);
  }

  try {
    await runScenario(scenario, {
      runId: prepared.runId,
      reportDir,
      isolation: isolation.isolation,
      isolationReason: isolation.reason,
      profile,
      seed,
      judge: prepared.judge,
      gate: prepared.gate,
      journal,
      signal: io.signal,
      ...(prepared.realClients ? { realClients: prepared.realClients } : {}),
      onLayoutStart: (layout) => progress.startLayout(layout, workloadMs(scenario)) || io.stderr(`running ${layout}…\n`),
    });
  } finally {
    progress.stop();
    await journal.close();
  }
  // The report is built from the journal as written, exactly as `tokenrace report` rebuilds it.
  // TODO(evidence): a harness error (exit 4) above leaves events.ndjson without run_end and no
  // report; `tokenrace report` on it then reads the run as interrupted.
  const events = await readJournal(journalFile);
  const result = buildReport(events, reportDir);
  await writeReports(result, events);
  return result;
}

/** The gate's exit code; `--allow-inconclusive` (kept in the report's gate) lets 3 through. */
export function exitCodeFor(result: Pick<ScenarioResult, 'interrupted' | 'verdict' | 'gate'>): number {
  if (result.interrupted) return ExitCode.interrupted;
  if (result.verdict === 'inconclusive' && result.gate.allow_inconclusive) return ExitCode.pass;
  return ExitCode[result.verdict];
}
