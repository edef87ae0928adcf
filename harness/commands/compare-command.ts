import path from 'node:path';
import { ExitCode } from '../errors.js';
import { serverSettingsSchema } from '../endpoint/server-settings.js';
import { chooseIsolation } from '../isolation/isolation.js';
import { Journal } from '../journal/journal.js';
import { renderTextTable } from '../report/table.js';
import { renderRealClientTable } from '../report/real-client-table.js';
import { writeReports } from '../report/write-reports.js';
import { runCompare, type CompareResult } from '../run/compare.js';
import { BESIDE_ONLY_PROFILE, type CompareOptions } from '../scenario/options.js';
import { createReportDir, newRunId } from './report-dir.js';
import { prepareRealClients } from './real-client-setup.js';

export interface CommandIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  signal: AbortSignal;
}

/** Runs `compare` and returns the process exit code. Throws TokenraceError for usage problems. */
export async function compareCommand(options: CompareOptions, json: boolean, io: CommandIo): Promise<number> {
  const isolation = chooseIsolation(options.isolation);
  const real = await prepareRealClients(options, isolation.isolation, io.stderr);
  if (real.status === 'reexec') return real.exitCode;
  const runId = newRunId();
  const reportDir = await createReportDir(options.out, runId);
  const journal = new Journal(path.join(reportDir, 'events.ndjson'));

  io.stderr(
    `tokenrace compare: ${options.workers} workers × ${options.durationMs} ms per layout, ` +
      `isolation ${isolation.isolation} (${isolation.reason}), profile ${BESIDE_ONLY_PROFILE.name}, ` +
      `seed ${options.seed}\n`,
  );
  if (real.status === 'ready') {
    io.stderr(`clients: ${options.client}; network: ${real.setup.route} (${real.setup.routeReason})\n`);
  }

  let result: CompareResult;
  try {
    result = await runCompare(options, {
      runId,
      reportDir,
      isolation: isolation.isolation,
      isolationReason: isolation.reason,
      profile: BESIDE_ONLY_PROFILE,
      journal,
      signal: io.signal,
      server: serverSettingsSchema.parse({ reuse: options.reusePolicy }),
      ...(real.status === 'ready' ? { realClients: real.setup } : {}),
      onLayoutStart: (layout) => io.stderr(`running ${layout}…\n`),
    });
  } finally {
    await journal.close();
  }
  await writeReports(result);

  if (json) io.stdout(JSON.stringify(result) + '\n');
  else {
    const hasReal = Object.values(result.layouts).some((counters) => counters.real);
    const table = hasReal ? renderRealClientTable(result) : renderTextTable(result);
    io.stdout(table + `\nreport: ${path.relative(process.cwd(), reportDir) || reportDir}\n`);
  }
  return exitCodeFor(result);
}

export function exitCodeFor(result: CompareResult): number {
  if (result.interrupted) return ExitCode.interrupted;
  return ExitCode[result.verdict];
}
