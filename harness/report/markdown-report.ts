import type { ScenarioResult } from '../run/run-scenario.js';
import { comparisonRows, expectationRows, explainLocks, tableLayouts } from './table.js';
import { markdownTable, REAL_CLIENT_COLUMNS, realClientNotes, realClientRows } from './real-client-table.js';

/** Runs of real clients add their own table: the built-in rows above stay empty for them. */
function realClientSection(result: ScenarioResult): string[] {
  const rows = realClientRows(result.layouts);
  if (rows.length === 0) return [];
  const route = Object.values(result.layouts)[0]?.real?.network_route ?? 'unknown';
  const notes = realClientNotes(result.layouts).map((note) => `- ${note}`);
  return [
    '## Real clients',
    '',
    `Network route: \`${route}\``,
    '',
    markdownTable([[...REAL_CLIENT_COLUMNS], ...rows]),
    '',
    ...(notes.length ? [...notes, ''] : []),
  ];
}

/**
 * report.md, shaped for a CI job summary: the verdict first, then the reasons, the table,
 * expectations, thresholds, and the checkers' findings with each first violation.
 */
export function renderMarkdown(result: ScenarioResult): string {
  const layouts = tableLayouts(result);
  const header = `| | ${layouts.join(' | ')} |`;
  const divider = `|---|${layouts.map(() => '---:').join('|')}|`;
  const rows = comparisonRows(result).map((row) => `| ${row.join(' | ')} |`);
  // The built-in table counts the model's own events; a fleet of real clients sends none, so
  // its rows would be zeros (and "counts match ledger: NO") that say nothing about the run.
  const builtinTable = onlyRealClients(result) ? [] : [header, divider, ...rows, '', explainLocks(result), ''];
  return [
    `# tokenrace ${result.scenario}: ${result.verdict.toUpperCase()}`,
    '',
    result.description,
    ...result.sources.map((source) => `Reproduces: ${source}`),
    '',
    ...result.reasons.map((reason) => `- ${reason}`),
    result.interrupted ? '- **interrupted**: these are the numbers of what ran before the stop' : '',
    '',
    ...builtinTable,
    ...realClientSection(result),
    ...markdownExpectations(result),
    ...thresholdSection(result),
    ...checkerSection(result),
    `Run \`${result.run_id}\`: ${result.workers} workers, ${result.duration_ms} ms per layout, ` +
      `isolation \`${result.isolation}\` (${result.isolation_reason}), client profile ` +
      `\`${result.profile}\`, seed ${result.seed}.`,
    '',
  ].join('\n');
}

function onlyRealClients(result: ScenarioResult): boolean {
  const layouts = Object.values(result.layouts);
  return layouts.length > 0 && layouts.every((counters) => counters.real !== undefined && !('builtin' in counters.real.clients));
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

function thresholdSection(result: ScenarioResult): string[] {
  if (result.thresholds.length === 0) return [];

  return [
    '## Thresholds',
    '',
    '| threshold | result | observed |',
    '|---|---|---:|',
    ...result.thresholds.map((t) => `| \`${t.threshold}\` | ${t.status} | ${t.observed ?? 'no samples'} |`),
    '',
  ];
}

function checkerSection(result: ScenarioResult): string[] {
  const lines = ['## Checkers', ''];
  for (const [layout, evidence] of Object.entries(result.evidence)) {
    lines.push(`### ${layout}: ${evidence.verdict}`, '', '| checker | status | finding |', '|---|---|---|');
    for (const check of evidence.checks) lines.push(`| ${check.checker} | ${check.status} | ${cell(check.summary)} |`);
    lines.push('');
    for (const check of evidence.checks.filter((c) => c.first_violation)) {
      const violation = check.first_violation!;
      lines.push(
        `<details><summary>${layout} ${check.checker}: ${cell(violation.description)}</summary>`,
        '',
        '```',
        ...violation.events.map((event) => JSON.stringify(event)),
        '```',
        '',
        '</details>',
        '',
      );
    }
  }
  return lines;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}
