import type { CompareResult } from '../run/compare.js';
import { comparisonRows, explainLocks, TABLE_LAYOUTS } from './table.js';
import { markdownTable, REAL_CLIENT_COLUMNS, realClientRows } from './real-client-table.js';

/** Runs of real clients add their own table: the built-in rows above stay empty for them. */
function realClientSection(result: CompareResult): string[] {
  const rows = realClientRows(result.layouts);
  if (rows.length === 0) return [];
  return ['## Real clients', '', markdownTable([[...REAL_CLIENT_COLUMNS], ...rows]), ''];
}

/** report.md: verdict first, then the table, so it reads well as a CI job summary. */
export function renderMarkdown(result: CompareResult): string {
  const header = `| | ${TABLE_LAYOUTS.join(' | ')} |`;
  const divider = `|---|${TABLE_LAYOUTS.map(() => '---:').join('|')}|`;
  const rows = comparisonRows(result).map((row) => `| ${row.join(' | ')} |`);
  return [
    `# tokenrace compare: ${result.verdict.toUpperCase()}`,
    '',
    ...result.reasons.map((reason) => `- ${reason}`),
    result.interrupted ? '- **interrupted**: these are the numbers of what ran before the stop' : '',
    '',
    header,
    divider,
    ...rows,
    '',
    explainLocks(result),
    '',
    ...realClientSection(result),
    `Run \`${result.run_id}\`: ${result.workers} workers, ${result.duration_ms} ms per layout, ` +
      `isolation \`${result.isolation}\` (${result.isolation_reason}), client profile ` +
      `\`${result.profile}\`, seed ${result.seed}.`,
    '',
  ].join('\n');
}
