import type { LayoutCounters } from '../evidence/counters.js';
import type { LossCause, RealClientCounters } from '../evidence/real-client-counters.js';
import type { LayoutName } from '../journal/events.js';
import type { ScenarioResult as CompareResult } from '../run/run-scenario.js';
import { alignColumns, expectationRows, renderTextTable } from './table.js';

/**
 * Tables for runs of real clients: one row per layout (compare) or per version and layout
 * (matrix), all from RealClientCounters, so the terminal, report.md and the README's matrix show
 * the same numbers.
 */
export const REAL_CLIENT_COLUMNS = [
  'layout',
  'refresh locks seen',
  'POSTs',
  'generations',
  'max POSTs/gen',
  'invalid_grant',
  'runs (exit codes)',
  'store',
  'sessions',
] as const;

/** Short forms of the causes for the table's `sessions` cell; the verdict reasons spell them out. */
const LOSS_LABELS: Record<LossCause, string> = {
  invalid_grant: 'invalid_grant',
  failed_runs: 'runs failed',
  store_wiped: 'store wiped',
  store_dead: 'store refused',
  store_corrupt: 'store corrupt',
};

export function realClientRow(layout: string, real: RealClientCounters): string[] {
  return [
    layout,
    describePlacement(real),
    String(real.refresh_posts),
    String(real.generations),
    String(real.max_posts_per_generation),
    String(real.invalid_grant),
    `${real.runs} (${Object.entries(real.exit_codes).map(([code, n]) => `${code}×${n}`).join(' ') || '-'})`,
    real.store,
    real.sessions_lost ? `LOST (${real.lost_by.map((cause) => LOSS_LABELS[cause]).join(', ')})` : 'kept',
  ];
}

/** `inside: .oauth_refresh.lock; beside: config.lock` — refresh locks only, by file name. */
export function describePlacement(real: RealClientCounters): string {
  const refresh = real.locks_seen.filter((line) => !line.startsWith('other '));
  if (refresh.length === 0) return 'none';
  return refresh
    .map((line) => {
      const [place, where] = line.split(' ');
      return `${place === 'inside-config' ? 'inside' : 'beside'} ${where!.split('/').at(-1)}`;
    })
    .join(', ');
}

export function realClientRows(layouts: Partial<Record<LayoutName, LayoutCounters>>): string[][] {
  return Object.entries(layouts).flatMap(([layout, counters]) => (counters.real ? [realClientRow(layout, counters.real)] : []));
}

export function renderRealClientTable(result: CompareResult): string {
  const rows = realClientRows(result.layouts);
  const clients = Object.values(result.layouts)[0]?.real?.clients ?? {};
  const route = Object.values(result.layouts)[0]?.real?.network_route ?? 'unknown';
  return [
    `clients: ${Object.entries(clients).map(([name, n]) => `${name} ×${n}`).join(', ')}; network: ${route}`,
    alignedTable([[...REAL_CLIENT_COLUMNS], ...rows]),
    ...describeShares(result),
    ...realClientNotes(result.layouts),
    ...(result.expectations.length > 0 ? ['', ...alignColumns(expectationRows(result), 2), ''] : []),
    `verdict: ${result.verdict} (${result.reasons.join('; ')})`,
  ].join('\n');
}

/** The terminal table of a result: the Real clients table when real clients ran, else the model's. */
export function renderResultTable(result: CompareResult): string {
  const hasReal = Object.values(result.layouts).some((counters) => counters.real);
  return hasReal ? renderRealClientTable(result) : renderTextTable(result);
}

/** Lines under the table: routes the mock did not know, and tunnels the proxy refused. */
export function realClientNotes(layouts: Partial<Record<LayoutName, LayoutCounters>>): string[] {
  const all = Object.values(layouts);
  const unknown = [...new Set(all.flatMap((counters) => counters.real?.unknown_routes ?? []))];
  const refused = [...new Set(all.flatMap((counters) => counters.real?.connects_refused ?? []))];
  const failures = Object.entries(layouts).flatMap(([layout, counters]) => {
    const failure = counters.real?.first_failure;
    if (!failure) return [];
    const said = failure.output ? `: ${failure.output}` : ' (printed nothing)';
    return [`${layout}: first failed run, worker ${failure.worker} run ${failure.run}, exit ${failure.exit}${said}`];
  });
  return [
    ...failures,
    ...(unknown.length ? [`routes the mock does not know (answered 404): ${unknown.join(', ')}`] : []),
    ...(refused.length ? [`CONNECTs the proxy refused (nothing left loopback): ${refused.join(', ')}`] : []),
  ];
}

/** Mixed fleets: who made the POSTs and who got the invalid_grant, per layout and client. */
function describeShares(result: CompareResult): string[] {
  return Object.entries(result.layouts).flatMap(([layout, counters]) => {
    const shares = Object.entries(counters.real?.by_client ?? {});
    if (shares.length < 2) return [];
    return shares.map(
      ([client, share]) =>
        `${layout} ${client}: ${share.refresh_posts} POSTs, ${share.invalid_grant} invalid_grant, ` +
        `${share.failed_runs}/${share.runs} runs failed`,
    );
  });
}

export function alignedTable(rows: readonly string[][]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd()).join('\n');
}

export function markdownTable(rows: readonly string[][]): string {
  const [head, ...body] = rows;
  const line = (row: readonly string[]) => `| ${row.join(' | ')} |`;
  return [line(head!), line(head!.map(() => '---')), ...body.map(line)].join('\n');
}
