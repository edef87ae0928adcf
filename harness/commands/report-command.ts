import { copyFile } from 'node:fs/promises';
import path from 'node:path';
import type { GateSettings } from '../journal/events.js';
import { JOURNAL_FILE, locateJournal, readJournal } from '../journal/read-journal.js';
import { buildReport } from '../report/build-report.js';
import { renderResultTable } from '../report/real-client-table.js';
import { writeReports } from '../report/write-reports.js';
import { resolveGate } from '../scenario/gate-options.js';
import { exitCodeFor, type CommandIo } from './run-command.js';
import { createReportDir } from './report-dir.js';
import { shownPath } from './shown-path.js';

/**
 * `tokenrace report <run dir | events.ndjson>`: every output rebuilt from the journal alone.
 * Written beside the journal, or into `--out` when given. The gate is the one the run was
 * started with unless flags override it; with no override, report.json equals the run's own
 * in every field but `reportDir`.
 */
export async function reportCommand(
  given: string,
  raw: Partial<Record<string, unknown>>,
  json: boolean,
  io: CommandIo,
): Promise<number> {
  const file = await locateJournal(given);
  const events = await readJournal(file);
  const start = events.find((event) => event.type === 'run_start');
  const gate: GateSettings | undefined = start?.type === 'run_start' ? resolveGate(raw, start.gate) : undefined;
  if (start?.type === 'run_start' && gate) start.gate = gate;

  const out = typeof raw.out === 'string' && raw.out !== '' ? raw.out : null;
  // Built before anything is written, so a journal that cannot be read leaves no trace.
  const probe = buildReport(events, '');
  const reportDir = out ? await createReportDir(out, probe.run_id) : path.dirname(file);
  const result = { ...probe, reportDir };
  // A report dir elsewhere gets its journal too, so it can be re-read as the original can.
  if (out) await copyFile(file, path.join(reportDir, JOURNAL_FILE));
  await writeReports(result, events);

  if (json) io.stdout(JSON.stringify(result) + '\n');
  else io.stdout(renderResultTable(result) + `\nreport: ${shownPath(reportDir)}\n`);
  return exitCodeFor(result);
}
