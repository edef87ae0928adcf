import path from 'node:path';
import { mkdir } from 'node:fs/promises';
import writeFileAtomic from 'write-file-atomic';
import { ExitCode, isTokenraceError, serializeError } from '../errors.js';
import { chooseIsolation, type IsolationRequest } from '../isolation/isolation.js';
import { alignColumns } from '../report/table.js';
import type { ScenarioResult } from '../run/run-scenario.js';
import { loadScenarioDir } from '../scenario/load-scenario.js';
import { hasRealClients } from '../client/client-spec.js';
import { isInsideRunNetns } from '../isolation/net-namespace.js';
import { clientRequestFor, prepareRealClients } from './real-client-setup.js';
import { createReportDir, newRunId } from './report-dir.js';
import { exitCodeFor, runScenarioToReports, type CommandIo } from './run-command.js';
import { shownPath } from './shown-path.js';

/**
 * `tokenrace suite [dir]`: the pre-release regression run. Every scenario of `dir` is validated
 * first (one bad file and nothing runs), then each runs in turn into `<out>/<run id>/<name>/`.
 * The table shows expected vs observed per scenario, layout and counter; the exit code is the
 * worst of the scenarios': any mismatch fails the suite.
 */
export interface SuiteSettings {
  dir: string;
  out: string;
  json: boolean;
  /** Overrides every scenario's isolation (CI machines without namespaces use `paths`). */
  isolation?: IsolationRequest;
}

interface SuiteEntry {
  name: string;
  result: ScenarioResult | null;
  error: string | null;
}

export async function suiteCommand(settings: SuiteSettings, io: CommandIo): Promise<number> {
  const loaded = await loadScenarioDir(settings.dir);
  const planned = loaded.map(({ scenario, origin }) => {
    const request = settings.isolation ?? scenario.isolation;
    const clients = clientRequestFor(undefined, scenario, path.dirname(origin));
    return { scenario: { ...scenario, isolation: request }, isolation: chooseIsolation(request), clients };
  });
  // Scenarios with real clients need the network namespace: the whole suite moves into one.
  const allSpecs = planned.flatMap(({ clients }) => clients.specs);
  if (hasRealClients(allSpecs) && !isInsideRunNetns()) {
    const everyClient = { specs: allSpecs, claudeBin: '', cwd: settings.dir, networkRoute: 'auto' as const };
    const plan = await prepareRealClients(everyClient, [], 'namespace', io.stderr);
    if (plan.status === 'reexec') return plan.exitCode;
  }
  const runId = newRunId();
  const suiteDir = await createReportDir(settings.out, runId);
  io.stderr(`tokenrace suite: ${planned.length} scenarios from ${settings.dir}\n`);

  const entries: SuiteEntry[] = [];
  for (const { scenario, isolation, clients } of planned) {
    if (io.signal.aborted) break;

    const reportDir = path.join(suiteDir, scenario.name);
    await mkdir(reportDir);
    try {
      const real = await prepareRealClients(clients, scenario.layouts, isolation.isolation, io.stderr);
      const realClients = real.status === 'ready' ? { realClients: real.setup } : {};
      const prepared = { judge: 'expectations' as const, isolation, runId, reportDir, ...realClients };
      const result = await runScenarioToReports(scenario, prepared, io);
      entries.push({ name: scenario.name, result, error: null });
      io.stderr(`${scenario.name}: ${result.verdict}\n`);
    } catch (error) {
      // One broken scenario must not hide the others' results; it still fails the suite.
      if (!isTokenraceError(error)) throw error;
      const { code, message } = serializeError(error);
      entries.push({ name: scenario.name, result: null, error: `${code}: ${message}` });
      io.stderr(`${scenario.name}: error ${code}: ${message}\n`);
    }
  }

  const code = suiteExitCode(entries, io.signal.aborted);
  const summary = { run_id: runId, exit_code: code, scenarios: entries };
  await writeFileAtomic(path.join(suiteDir, 'suite.json'), JSON.stringify(summary, null, 2) + '\n');
  await writeFileAtomic(path.join(suiteDir, 'suite.md'), renderSuiteMarkdown(entries, code));
  if (settings.json) io.stdout(JSON.stringify(summary) + '\n');
  else io.stdout(renderSuiteTable(entries) + `\nreports: ${shownPath(suiteDir)}\n`);
  return code;
}

/** Worst first: interrupted, harness error, any mismatch, any inconclusive, else pass. */
export function suiteExitCode(entries: readonly SuiteEntry[], interrupted: boolean): number {
  if (interrupted) return ExitCode.interrupted;
  if (entries.some((entry) => entry.error !== null)) return ExitCode.harnessError;

  const codes = entries.map((entry) => exitCodeFor(entry.result!));
  if (codes.includes(ExitCode.fail)) return ExitCode.fail;
  if (codes.includes(ExitCode.inconclusive)) return ExitCode.inconclusive;
  return ExitCode.pass;
}

export function renderSuiteTable(entries: readonly SuiteEntry[]): string {
  return [...alignColumns(suiteRows(entries), 3), '', suiteSummary(entries)].join('\n');
}

/** suite.md: the same table, for a CI job summary. */
export function renderSuiteMarkdown(entries: readonly SuiteEntry[], code: number): string {
  const [header, ...rows] = suiteRows(entries);
  return [
    `# tokenrace suite: ${code === ExitCode.pass ? 'PASS' : `FAIL (exit ${code})`}`,
    '',
    suiteSummary(entries),
    '',
    `| ${header!.join(' | ')} |`,
    '|---|---|---|---:|---:|---|',
    ...rows.map((row) => `| ${row.join(' | ')} |`),
    '',
  ].join('\n');
}

function suiteRows(entries: readonly SuiteEntry[]): string[][] {
  const rows: string[][] = [['scenario', 'layout', 'counter', 'expected', 'observed', '']];
  for (const entry of entries) {
    if (!entry.result) {
      rows.push([entry.name, '-', '-', '-', '-', `ERROR ${entry.error ?? ''}`]);
      continue;
    }
    if (entry.result.expectations.length === 0) rows.push([entry.name, '-', '-', '-', '-', entry.result.verdict]);
    for (const check of entry.result.expectations) {
      const observed = check.ran ? String(check.observed) : '-';
      rows.push([entry.name, check.layout, check.counter, check.expected, observed, check.met ? 'ok' : 'MISMATCH']);
    }
  }
  return rows;
}

function suiteSummary(entries: readonly SuiteEntry[]): string {
  const passed = entries.filter((entry) => entry.result?.verdict === 'pass').length;
  const checks = entries.flatMap((entry) => entry.result?.expectations ?? []);
  const unmet = checks.filter((check) => !check.met).length;
  return `${passed}/${entries.length} scenarios passed; ${checks.length - unmet}/${checks.length} expectations met`;
}
