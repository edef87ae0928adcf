/**
 * `npm run bench:cleanup`: real runs ended each way (normal exit, SIGINT, SIGTERM, a worker
 * crash, ...), fifty of each by default, counting what each left behind: processes carrying the
 * run's marker, mounts under its directories, tokenrace-* temp dirs. Prints the figures.
 *
 *   node dist/bench/cleanup-bench.js [--runs 50] [--endings normal,sigint,sigterm,worker-crash]
 */
import { parseArgs } from 'node:util';
import { ENDINGS, runEnding, type Ending } from './run-endings.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '50' },
    endings: { type: 'string', default: 'normal,sigint,sigterm,worker-crash,sigkill' },
    isolation: { type: 'string', default: 'auto' },
  },
});
const runs = Number(values.runs);
const endings = values.endings.split(',') as Ending[];
for (const ending of endings) {
  if (!ENDINGS.includes(ending)) throw new Error(`--endings: got ${JSON.stringify(ending)}, expected some of ${ENDINGS.join(', ')}`);
}

interface Tally {
  runs: number;
  exitCodes: Map<string, number>;
  processes: number;
  mounts: number;
  tempDirs: number;
  slowestEndMs: number;
}

/** How each ending should end; anything else is printed with the run's last stderr lines. */
const EXPECTED_CODES: Record<Ending, string[]> = {
  normal: ['0', '1', '3'],
  sigint: ['130'],
  sigterm: ['130'],
  'worker-crash': ['4'],
  exception: ['2', '4'],
  sigkill: ['SIGKILL'],
  'time-budget': ['4'],
};

const tallies = new Map<Ending, Tally>();
for (const ending of endings) {
  const tally: Tally = { runs: 0, exitCodes: new Map(), processes: 0, mounts: 0, tempDirs: 0, slowestEndMs: 0 };
  tallies.set(ending, tally);
  for (let run = 1; run <= runs; run += 1) {
    const result = await runEnding({ ending, isolation: values.isolation as 'auto', durationMs: ending === 'normal' ? 300 : 3_000 });
    const exit = result.signal ?? String(result.code);
    tally.runs += 1;
    tally.exitCodes.set(exit, (tally.exitCodes.get(exit) ?? 0) + 1);
    tally.processes += result.leftovers.processes.length;
    tally.mounts += result.leftovers.mounts.length;
    tally.tempDirs += result.leftovers.tempDirs.length;
    tally.slowestEndMs = Math.max(tally.slowestEndMs, ending === 'normal' ? 0 : result.endedAfterMs);
    if (result.leftovers.processes.length + result.leftovers.mounts.length + result.leftovers.tempDirs.length > 0) {
      process.stderr.write(`${ending} #${run}: left ${JSON.stringify(result.leftovers)}\n`);
    }
    if (!EXPECTED_CODES[ending].includes(exit)) {
      process.stderr.write(`${ending} #${run}: exit ${exit}; stderr:\n${result.stderr.trim()}\n`);
    }
    await result.remove();
    process.stderr.write(`\r${ending} ${run}/${runs} `);
  }
  process.stderr.write('\n');
}

const header = ['ending', 'runs', 'exit codes', 'processes left', 'mounts left', 'temp dirs left', 'slowest end (ms)'];
const lines = [header.join(' | '), header.map(() => '---').join(' | ')];
for (const [ending, tally] of tallies) {
  const codes = [...tally.exitCodes].map(([code, count]) => `${code}×${count}`).join(' ');
  lines.push([ending, tally.runs, codes, tally.processes, tally.mounts, tally.tempDirs, tally.slowestEndMs].join(' | '));
}
process.stdout.write(lines.map((line) => `| ${line} |`).join('\n') + '\n');
const leftover = [...tallies.values()].reduce((sum, tally) => sum + tally.processes + tally.mounts + tally.tempDirs, 0);
process.exitCode = leftover === 0 ? 0 : 1;
