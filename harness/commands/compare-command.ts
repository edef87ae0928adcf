import path from 'node:path';
import { chooseIsolation } from '../isolation/isolation.js';
import type { GateSettings } from '../journal/events.js';
import { Journal } from '../journal/journal.js';
import { JOURNAL_FILE, readJournal } from '../journal/read-journal.js';
import { buildReport } from '../report/build-report.js';
import { renderTextTable } from '../report/table.js';
import { writeReports } from '../report/write-reports.js';
import { runCompare } from '../run/compare.js';
import { BESIDE_ONLY_PROFILE, type CompareOptions } from '../scenario/options.js';
import { createProgress } from './progress.js';
import { createReportDir, newRunId } from './report-dir.js';

export interface CommandIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  signal: AbortSignal;
  /** Whether stderr is an interactive terminal (progress is drawn only then). */
  stderrIsTty?: boolean;
}

/** Runs `compare` and returns the process exit code. Throws TokenraceError for usage problems. */
export async function compareCommand(
  options: CompareOptions,
  gate: GateSettings,
  json: boolean,
  io: CommandIo,
): Promise<number> {
  const isolation = chooseIsolation(options.isolation);
  const runId = newRunId();
  const reportDir = await createReportDir(options.out, runId);
  const journalFile = path.join(reportDir, JOURNAL_FILE);
  const progress = createProgress({ isTty: io.stderrIsTty ?? false, env: process.env, write: io.stderr });
  const journal = new Journal(journalFile, progress.onEvent);

  io.stderr(
    `tokenrace compare: ${options.workers} workers × ${options.durationMs} ms per layout, ` +
      `isolation ${isolation.isolation} (${isolation.reason}), profile ${BESIDE_ONLY_PROFILE.name}, ` +
      `seed ${options.seed}\n`,
  );

  try {
    await runCompare(options, {
      runId,
      reportDir,
      isolation: isolation.isolation,
      isolationReason: isolation.reason,
      profile: BESIDE_ONLY_PROFILE,
      journal,
      signal: io.signal,
      gate,
      onLayoutStart: (layout) => progress.startLayout(layout, options.durationMs) || io.stderr(`running ${layout}…\n`),
    });
  } finally {
    progress.stop();
    await journal.close();
  }
  // The report is built from the journal as written, exactly as `tokenrace report` would.
  const result = buildReport(await readJournal(journalFile), reportDir);
  await writeReports(result, journal.events);

  if (json) io.stdout(JSON.stringify(result) + '\n');
  else io.stdout(renderTextTable(result) + `\nreport: ${path.relative(process.cwd(), reportDir) || reportDir}\n`);
  return result.exit_code;
}
