import path from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import type { JournalEvent } from '../journal/events.js';
import { renderHtml } from './html-report.js';
import { renderJunit } from './junit-report.js';
import { renderMarkdown } from './markdown-report.js';
import type { RunReport } from './run-report.js';

/**
 * Writes report.json, report.md, junit.xml and report.html into the report directory, each
 * atomically. `events` is the journal the report was built from (the HTML timeline draws it).
 */
export async function writeReports(result: RunReport, events: readonly JournalEvent[]): Promise<void> {
  const write = (name: string, text: string) => writeFileAtomic(path.join(result.reportDir, name), text);
  await write('report.json', JSON.stringify(result, null, 2) + '\n');
  await write('report.md', renderMarkdown(result));
  await write('junit.xml', renderJunit(result));
  await write('report.html', await renderHtml(result, events));
}
