/**
 * `npm run bench:hostile`: 10,000 generated hostile requests against a real endpoint on
 * 127.0.0.1, and the figures issue 6 asks for. A script, not a test: it prints numbers.
 *
 *   node dist/bench/hostile-bench.js [--count 10000] [--seed 6] [--concurrency 64]
 */
import { parseArgs } from 'node:util';
import { fuzzEndpoint } from './endpoint-fuzz.js';

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '10000' },
    seed: { type: 'string', default: '6' },
    concurrency: { type: 'string', default: '64' },
  },
});

let uncaught = 0;
process.on('uncaughtException', (error) => {
  uncaught += 1;
  process.stderr.write(`uncaught: ${error.stack ?? error.message}\n`);
});

const started = Date.now();
const figures = await fuzzEndpoint({ count: Number(values.count), seed: Number(values.seed), concurrency: Number(values.concurrency) });
const seconds = (Date.now() - started) / 1000;

const rows: Array<[string, string]> = [
  ['requests tried', String(figures.tried)],
  ['crashes (500, no answer, uncaught)', String(figures.crashes + uncaught)],
  ['wrong status codes', String(figures.wrongStatus)],
  ['ledger entries', String(figures.ledgerEntries)],
  ['ledger exact (one matching entry per request)', figures.ledgerExact ? 'yes' : 'NO'],
  ['rotations that succeeded', String(figures.rotations)],
  ['seconds', seconds.toFixed(1)],
];
process.stdout.write(rows.map(([name, value]) => `${name.padEnd(48)} ${value}`).join('\n') + '\n');
process.stdout.write(`by kind: ${Object.entries(figures.byLabel).sort().map(([label, count]) => `${label} ${count}`).join(', ')}\n`);
for (const mismatch of figures.mismatches) process.stdout.write(`mismatch: ${JSON.stringify(mismatch)}\n`);
for (const problem of figures.ledgerProblems) process.stdout.write(`ledger: ${problem}\n`);
process.exitCode = figures.crashes + uncaught + figures.wrongStatus === 0 && figures.ledgerExact ? 0 : 1;
