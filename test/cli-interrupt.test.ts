import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli, scratchDir } from './helpers/cli.js';
import { processesMentioning } from './helpers/processes.js';

let out: { dir: string; remove: () => Promise<void> };
let tmp: { dir: string; remove: () => Promise<void> };
beforeEach(async () => {
  out = await scratchDir();
  tmp = await scratchDir();
});
afterEach(async () => {
  await out.remove();
  await tmp.remove();
});

describe('an interrupted compare', () => {
  it.each([
    ['SIGINT', 'the command'],
    ['SIGTERM', 'the command'],
    ['SIGINT', 'its whole process group, as Ctrl-C in a terminal'],
  ] as const)(
    'stops its workers on %s to %s, leaves no process or temp dir, and reports what ran as interrupted',
    async (signal, target) => {
      const wholeGroup = target !== 'the command';
      let aliveBeforeSignal = 0;
      const run = await runCli(['compare', '--workers', '4', '--duration', '30s', '--json', '--out', out.dir], {
        // Every temp dir the run makes goes under this one, so leftovers are easy to count.
        env: { TMPDIR: tmp.dir },
        processGroup: wholeGroup,
        // Four seconds in, as a person would, but never before the containers exist: on a loaded
        // machine starting them can take longer than that.
        onSpawn: (pid) => {
          const startedAt = Date.now();
          const poll = setInterval(() => {
            aliveBeforeSignal = processesMentioning(tmp.dir).length;
            const ready = aliveBeforeSignal >= 5 || Date.now() - startedAt > 30_000;
            if (Date.now() - startedAt < 4_000 || !ready) return;
            clearInterval(poll);
            process.kill(wholeGroup ? -pid : pid, signal);
          }, 250);
        },
      });

      expect(run.code).toBe(130);
      const result = JSON.parse(run.stdout);
      expect(result.interrupted).toBe(true);
      const written = JSON.parse(await readFile(path.join(result.reportDir, 'report.json'), 'utf8'));
      expect(written.interrupted).toBe(true);
      expect(written.layouts.legacy.workers).toBe(4);

      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(processesMentioning(tmp.dir)).toEqual([]);
      expect(await readdir(tmp.dir)).toEqual([]);
      // The check above can see the run's processes: mid-run it found the workers and clients.
      expect(aliveBeforeSignal).toBeGreaterThanOrEqual(4);
    },
  );
});
