import type { LayoutCounters } from '../evidence/counters.js';
import type { LayoutName } from '../journal/events.js';
import type { ScenarioResult } from '../run/run-scenario.js';

/**
 * The side-by-side comparison, as rows of [label, one column per layout that ran]. Both the
 * terminal table and report.md render these rows, so they always show the same numbers.
 */
const ROWS: ReadonlyArray<[label: string, pick: (counters: LayoutCounters) => number | string]> = [
  ['workers', (c) => c.workers],
  ['refresh POSTs', (c) => c.refresh_posts],
  ['refresh_ok', (c) => c.refresh_ok],
  ['invalid_grant', (c) => c.invalid_grant],
  ['race_resolved', (c) => c.race_resolved],
  ['retry_limit_reached', (c) => c.retry_limit_reached],
  ['relogins', (c) => c.relogins],
  ['api 401s', (c) => c.api_unauthorized],
  ['api calls ok', (c) => c.api_ok],
  ['lock paths', (c) => c.lock_paths],
  ['lock locations', (c) => c.lock_locations],
  ['lock steals / compromised', (c) => `${c.lock_steals ?? 0} / ${c.lock_compromised}`],
  ['torn credential reads', (c) => c.torn_reads ?? 0],
  ['time to recover', (c) => (c.time_to_recover_ms == null ? '-' : `${c.time_to_recover_ms} ms`)],
  ['clients killed / restarted', (c) => `${c.kills ?? 0} / ${c.restarts ?? 0}`],
  ['filesystems (store / home)', (c) => (c.filesystems ? `${c.filesystems.store} / ${c.filesystems.home}` : '-')],
  ['ledger: refresh_ok / invalid_grant', (c) => `${c.ledger.refresh_ok} / ${c.ledger.invalid_grant}`],
  ['counts match ledger', (c) => (c.ledger_agrees ? 'yes' : 'NO')],
  ['duration', (c) => `${(c.duration_ms / 1000).toFixed(1)}s`],
];

/** The layouts a result has columns for, in the order they ran. */
export function tableLayouts(result: ScenarioResult): LayoutName[] {
  return Object.keys(result.layouts) as LayoutName[];
}

export function comparisonRows(result: ScenarioResult): string[][] {
  return ROWS.map(([label, pick]) => [
    label,
    ...tableLayouts(result).map((layout) => {
      const counters = result.layouts[layout];
      return counters ? String(pick(counters)) : '-';
    }),
  ]);
}

/** A plain aligned text table for the terminal. */
export function renderTextTable(result: ScenarioResult): string {
  const counters = alignColumns([['', ...tableLayouts(result)], ...comparisonRows(result)]);
  const checks = result.expectations.length > 0 ? ['', ...alignColumns(expectationRows(result), 2)] : [];
  return [
    ...counters,
    ...checks,
    '',
    explainLocks(result),
    ...result.thresholds.map((threshold) => `threshold ${threshold.threshold}: ${threshold.status}`),
    `verdict: ${result.verdict}`,
    ...result.reasons.map((reason) => `  ${reason}`),
  ].join('\n');
}

/** Expected vs observed, one row per layout and counter, with a header row. */
export function expectationRows(result: ScenarioResult): string[][] {
  const rows = result.expectations.map((check) => [
    check.layout,
    check.counter,
    check.expected,
    check.ran ? String(check.observed) : '-',
    check.met ? 'ok' : 'MISMATCH',
  ]);
  return [['layout', 'counter', 'expected', 'observed', ''], ...rows];
}

/** Pads cells into columns: the first left-aligned, the rest right-aligned. */
export function alignColumns(rows: readonly string[][], leftColumns = 1): string[] {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]?.length ?? 0)));
  return rows.map((row) =>
    row
      .map((cell, column) => (column < leftColumns ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!)))
      .join('   ')
      .trimEnd(),
  );
}

/** "legacy: 4 workers used 4 different lock locations; shared: 1" */
export function explainLocks(result: ScenarioResult): string {
  return tableLayouts(result).flatMap((layout) => {
    const counters = result.layouts[layout];
    if (!counters) return [];
    const paths = counters.lock_paths === 1 ? 'one lock path' : `${counters.lock_paths} lock paths`;
    return [`${layout}: ${counters.workers} workers used ${paths} and ${counters.lock_locations} lock location(s)`];
  }).join('; ');
}
