/**
 * `npm run bench:hostile`: 10,000 generated hostile requests against a real endpoint on
 * 127.0.0.1 under each server policy, and the figures issue 6 asks for. A script, not a test:
 * it prints numbers.
 *
 *   node dist/bench/hostile-bench.js [--count 10000] [--seed 6] [--concurrency 64] [--policy NAME]
 */
import { parseArgs } from 'node:util';
import { fuzzEndpoint, fuzzPolicies, type FuzzFigures } from './endpoint-fuzz.js';

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '10000' },
    seed: { type: 'string', default: '6' },
    concurrency: { type: 'string', default: '64' },
    policy: { type: 'string', multiple: true },
  },
});

let uncaught = 0;
process.on('uncaughtException', (error) => {
  uncaught += 1;
  process.stderr.write(`uncaught: ${error.stack ?? error.message}\n`);
});

const count = Number(values.count);
const all = fuzzPolicies(count);
const chosen = values.policy ? all.filter(({ name }) => values.policy!.includes(name)) : all;
if (chosen.length === 0) {
  process.stderr.write(`error: --policy: expected one of ${all.map(({ name }) => `"${name}"`).join(', ')}\n`);
  process.exit(2);
}

const header = [
  'policy', 'tried', 'crashes', 'wrong status', 'token problems', 'ledger exact', 'rotations', 'policy events', 'seconds',
];
const rows: string[][] = [];
let failed = false;
for (const { name, server } of chosen) {
  const before = uncaught;
  const started = Date.now();
  const seed = Number(values.seed);
  const figures = await fuzzEndpoint({ count, seed, concurrency: Number(values.concurrency), server });
  const crashes = figures.crashes + uncaught - before;
  rows.push([
    name,
    String(figures.tried),
    String(crashes),
    String(figures.wrongStatus),
    String(figures.tokenProblems.length),
    figures.ledgerExact ? `yes (${figures.ledgerEntries})` : 'NO',
    String(figures.rotations),
    describeEvents(figures),
    ((Date.now() - started) / 1000).toFixed(1),
  ]);
  report(name, figures);
  failed ||= crashes + figures.wrongStatus + figures.tokenProblems.length > 0 || !figures.ledgerExact;
}

const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
const line = (cells: string[]) => cells.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd();
process.stdout.write([line(header), ...rows.map(line)].join('\n') + '\n');
process.exitCode = failed ? 1 : 0;

function describeEvents(figures: FuzzFigures): string {
  const { graceReplays, familyRevocations, rateLimited, logins } = figures.policyEvents;
  const parts = [`${logins} logins`];
  if (graceReplays > 0) parts.push(`${graceReplays} grace replays`);
  if (familyRevocations > 0) parts.push(`${familyRevocations} family revocations`);
  if (rateLimited > 0) parts.push(`${rateLimited} rate-limited`);
  const revoked = figures.revokedAccessRefusals;
  if (revoked > 0) parts.push(`${revoked} 401s for revoked access`);
  return parts.join(', ');
}

/** Details on stderr: what kinds were sent, and the first problems of each sort. */
function report(name: string, figures: FuzzFigures): void {
  const kinds = Object.entries(figures.byLabel).sort().map(([label, n]) => `${label} ${n}`);
  process.stderr.write(`${name}: by kind: ${kinds.join(', ')}\n`);
  for (const mismatch of figures.mismatches) process.stderr.write(`${name}: mismatch: ${JSON.stringify(mismatch)}\n`);
  for (const problem of figures.tokenProblems) process.stderr.write(`${name}: tokens: ${problem}\n`);
  for (const problem of figures.ledgerProblems) process.stderr.write(`${name}: ledger: ${problem}\n`);
}
