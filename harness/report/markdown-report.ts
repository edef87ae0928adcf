import type { ScenarioResult } from '../run/run-scenario.js';
import { comparisonRows, expectationRows, explainLocks, tableLayouts } from './table.js';
import { markdownTable, REAL_CLIENT_COLUMNS, realClientRows } from './real-client-table.js';

/** Runs of real clients add their own table: the built-in rows above stay empty for them. */
function realClientSection(result: ScenarioResult): string[] {
  const rows = realClientRows(result.layouts);
  if (rows.length === 0) return [];
  return ['## Real clients', '', markdownTable([[...REAL_CLIENT_COLUMNS], ...rows]), ''];
}

/** report.md: verdict first, then the table, so it reads well as a CI job summary. */
export function renderMarkdown(result: ScenarioResult): string {
  const layouts = tableLayouts(result);
  const header = `| | ${layouts.join(' | ')} |`;
  const divider = `|---|${layouts.map(() => '---:').join('|')}|`;
  const rows = comparisonRows(result).map((row) => `| ${row.join(' | ')} |`);
  return [
    `# tokenrace ${result.scenario}: ${result.verdict.toUpperCase()}`,
    '',
    result.description,
    ...result.sources.map((source) => `Reproduces: ${source}`),
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
    ...markdownExpectations(result),
    `Run \`${result.run_id}\`: ${result.workers} workers, ${result.duration_ms} ms per layout, ` +
      `isolation \`${result.isolation}\` (${result.isolation_reason}), client profile ` +
      `\`${result.profile}\`, seed ${result.seed}.`,
    '',
  ].join('\n');
}

function markdownExpectations(result: ScenarioResult): string[] {
  if (result.expectations.length === 0) return [];

  const [header, ...rows] = expectationRows(result);
  return [
    `| ${header!.join(' | ')} |`,
    '|---|---|---:|---:|---|',
    ...rows.map((row) => `| ${row.join(' | ')} |`),
    '',
  ];
}
