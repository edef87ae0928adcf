import path from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import type { ScenarioResult } from '../run/run-scenario.js';
import { renderMarkdown } from './markdown-report.js';

/** Writes report.json and report.md into the run's report directory, each atomically. */
export async function writeReports(result: ScenarioResult): Promise<void> {
  await writeFileAtomic(path.join(result.reportDir, 'report.json'), JSON.stringify(result, null, 2) + '\n');
  await writeFileAtomic(path.join(result.reportDir, 'report.md'), renderMarkdown(result));
}
