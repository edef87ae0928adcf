import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ExitCode, TokenraceError } from '../errors.js';
import { chooseIsolation } from '../isolation/isolation.js';
import { Journal } from '../journal/journal.js';
import { renderTextTable } from '../report/table.js';
import { writeReports } from '../report/write-reports.js';
import { runCompare, type CompareResult } from '../run/compare.js';
import { checkWritableDir } from '../safety/output-preflight.js';
import { adoptRunMarker } from '../safety/run-marker.js';
import { guardConfigDir } from '../safety/store-guard.js';
import { BESIDE_ONLY_PROFILE, OVERWRITE_REAL_STORE_FLAG, timeBudgetFor, type CompareOptions } from '../scenario/options.js';
import { createReportDir, newRunId, removeReportDir } from './report-dir.js';

export interface CommandIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  signal: AbortSignal;
}

/** Runs `compare` and returns the process exit code. Throws TokenraceError for usage problems. */
export async function compareCommand(options: CompareOptions, json: boolean, io: CommandIo): Promise<number> {
  if (options.configDir) {
    guardConfigDir(options.configDir, { overrideFlag: OVERWRITE_REAL_STORE_FLAG, overridden: options.overwriteRealStore });
  }
  const isolation = chooseIsolation(options.isolation);
  const runId = newRunId();
  adoptRunMarker(runId);
  const reportDir = await createReportDir(options.out, runId);
  const storeRoot = await preflight(options, reportDir, runId);
  const journal = new Journal(path.join(reportDir, 'events.ndjson'));

  io.stderr(
    `tokenrace compare: ${options.workers} workers × ${options.durationMs} ms per layout, ` +
      `isolation ${isolation.isolation} (${isolation.reason}), profile ${BESIDE_ONLY_PROFILE.name}, ` +
      `seed ${options.seed}\n`,
  );

  const budgetMs = timeBudgetFor(options);
  const budget = AbortSignal.timeout(budgetMs);
  let result: CompareResult;
  try {
    result = await runCompare(options, {
      runId,
      reportDir,
      isolation: isolation.isolation,
      isolationReason: isolation.reason,
      profile: BESIDE_ONLY_PROFILE,
      journal,
      signal: AbortSignal.any([io.signal, budget]),
      storeRoot,
      onLayoutStart: (layout) => io.stderr(`running ${layout}…\n`),
    });
  } finally {
    await journal.close();
  }
  if (budget.aborted && !io.signal.aborted) result = overBudget(result, budgetMs);
  await writeReports(result);

  if (json) io.stdout(JSON.stringify(result) + '\n');
  else io.stdout(renderTextTable(result) + `\nreport: ${path.relative(process.cwd(), reportDir) || reportDir}\n`);
  warnAboutFaults(result, budgetMs, io);
  return exitCodeFor(result);
}

/**
 * Everything the run will write to is checked before a worker starts: the report dir and the
 * temp dir (writable, with room), and the --config-dir store root, which is created fresh so the
 * harness only ever writes in a directory it made. A failed check leaves nothing behind.
 */
async function preflight(options: CompareOptions, reportDir: string, runId: string): Promise<string | null> {
  try {
    await checkWritableDir(reportDir, '--out');
    await checkWritableDir(tmpdir(), 'TMPDIR');
    if (!options.configDir) return null;

    await mkdir(options.configDir, { recursive: true }).catch((error: NodeJS.ErrnoException) => {
      throw new TokenraceError('ERR_OUTPUT_UNWRITABLE', `--config-dir: cannot create ${JSON.stringify(options.configDir)} (${error.code})`);
    });
    await checkWritableDir(options.configDir, '--config-dir');
    const storeRoot = path.resolve(options.configDir, runId);
    await mkdir(storeRoot);
    return storeRoot;
  } catch (error) {
    await removeReportDir(reportDir);
    throw error;
  }
}

function overBudget(result: CompareResult, budgetMs: number): CompareResult {
  const reason = `the run outlived its time budget of ${budgetMs} ms and was stopped`;
  return { ...result, interrupted: false, time_budget_exceeded: true, verdict: 'inconclusive', reasons: [reason, ...result.reasons.filter((line) => line !== 'the run was interrupted')] };
}

/** Faults of the harness itself go to stderr as `error` lines after the (partial) result. */
function warnAboutFaults(result: CompareResult, budgetMs: number, io: CommandIo): void {
  for (const crash of result.crashes) {
    const how = crash.signal ? `killed by ${crash.signal}` : `exit code ${crash.exitCode}`;
    io.stderr(
      `error ERR_WORKER_CRASHED: worker ${crash.worker} (${crash.layout}) died on its own, ${how}, ` +
        `last event ${crash.lastEvent ?? 'none'}; the report is partial\n`,
    );
  }
  if (result.time_budget_exceeded) {
    io.stderr(`error ERR_TIME_BUDGET_EXCEEDED: --time-budget: the run passed ${budgetMs} ms and was stopped; the report is partial\n`);
  }
}

export function exitCodeFor(result: CompareResult): number {
  if (result.interrupted) return ExitCode.interrupted;
  if (result.crashes.length > 0 || result.time_budget_exceeded) return ExitCode.harnessError;
  return ExitCode[result.verdict];
}
