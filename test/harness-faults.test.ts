import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ORPHAN_GRACE_MS, runEnding, type EndingResult } from '../harness/bench/run-endings.js';
import { probeNamespaces } from '../harness/isolation/isolation.js';
import { BIN, runCli, scratchDir } from './helpers/cli.js';

let result: EndingResult | null = null;
afterEach(async () => {
  await result?.remove();
  result = null;
});

async function readReport(dir: string) {
  return JSON.parse(await readFile(path.join(dir, 'report.json'), 'utf8'));
}

async function readJournal(dir: string): Promise<Array<Record<string, unknown>>> {
  const text = await readFile(path.join(dir, 'events.ndjson'), 'utf8');
  return text.trim().split('\n').map((line) => JSON.parse(line));
}

describe('faults in the harness itself', () => {
  it('reports a worker that dies on its own (which, how, last event) and ends with a partial report', async () => {
    result = await runEnding({ ending: 'worker-crash', durationMs: 20_000, afterMs: 1_500 });

    expect(result.code).toBe(4);
    expect(result.endedAfterMs).toBeLessThan(15_000);
    const report = await readReport(result.reportDirs[0]!);
    expect(report.verdict).toBe('inconclusive');
    expect(report.crashes).toHaveLength(1);
    const crash = report.crashes[0];
    expect(crash.signal).toBe('SIGKILL');
    const journal = await readJournal(result.reportDirs[0]!);
    const own = journal.filter((event) => event.worker === crash.worker && event.layout === crash.layout && !['ledger', 'worker_exit', 'worker_crash'].includes(String(event.type)));
    expect(crash.lastEvent).toBe(own.at(-1)?.type ?? null);
    expect(result.leftovers).toEqual({ processes: [], mounts: [], tempDirs: [] });
  });

  it(`leaves no worker or client alive ${ORPHAN_GRACE_MS} ms after the coordinator is SIGKILLed`, async () => {
    result = await runEnding({ ending: 'sigkill', durationMs: 20_000, afterMs: 1_500 });

    expect(result.signal).toBe('SIGKILL');
    expect(result.leftovers.processes).toEqual([]);
    expect(result.leftovers.mounts).toEqual([]);
    expect(result.leftovers.tempDirs).toEqual([]);
  });

  it('ends within 15 s of a SIGINT four seconds into a 30 s run, leaving nothing, and says interrupted', async () => {
    result = await runEnding({ ending: 'sigint', durationMs: 30_000, afterMs: 4_000 });

    expect(result.code).toBe(130);
    expect(result.endedAfterMs).toBeLessThan(15_000);
    expect(result.leftovers).toEqual({ processes: [], mounts: [], tempDirs: [] });
    const newest = result.reportDirs.sort().at(-1)!;
    expect((await readReport(newest)).interrupted).toBe(true);
  });

  it('stops a run that outlives --time-budget and reports it', async () => {
    result = await runEnding({ ending: 'time-budget', durationMs: 20_000 });

    expect(result.code).toBe(4);
    expect(result.stderr).toContain('ERR_TIME_BUDGET_EXCEEDED');
    const report = await readReport(result.reportDirs[0]!);
    expect(report.time_budget_exceeded).toBe(true);
    expect(report.interrupted).toBe(false);
    expect(result.leftovers).toEqual({ processes: [], mounts: [], tempDirs: [] });
  });
});

describe('an output dir that cannot take the run is found before it starts', () => {
  let scratch: { dir: string; remove: () => Promise<void> };
  afterEach(async () => scratch.remove());

  it('refuses an --out below a file with exit 2 and writes nothing', async () => {
    scratch = await scratchDir();
    const file = path.join(scratch.dir, 'a-file');
    await writeFile(file, 'x');
    const run = await runCli(['compare', '--workers', '2', '--duration', '300ms', '--out', path.join(file, 'reports')]);

    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^error ERR_OUTPUT_UNWRITABLE: --out/m);
  });

  const namespaces = probeNamespaces();
  it(`refuses a full or read-only --out (tmpfs in a mount namespace; here: ${namespaces.isolation})`, async () => {
    scratch = await scratchDir();
    if (namespaces.isolation !== 'namespace') {
      expect(namespaces.reason.length).toBeGreaterThan(0);
      return;
    }
    const out = path.join(scratch.dir, 'out');
    const cli = `${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} compare --workers 2 --duration 300ms --out ${JSON.stringify(out)}`;
    const full = `mkdir -p "$1" && mount -t tmpfs -o size=1m tmpfs "$1" && head -c 900k /dev/zero > "$1/filler" && ${cli}; echo "exit=$?"; ls "$1"`;
    const readOnly = `mkdir -p "$1" && mount -t tmpfs -o ro,size=1m tmpfs "$1" && ${cli}; echo "exit=$?"`;
    for (const script of [full, readOnly]) {
      const run = spawnSync('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', script, 'sh', out], { encoding: 'utf8', timeout: 30_000 });

      expect(run.stdout).toContain('exit=2');
      expect(run.stderr).toMatch(/^error ERR_OUTPUT_UNWRITABLE: --out/m);
      // Nothing but the filler: the run dir made for the check is gone again.
      if (script === full) expect(run.stdout.trim().split('\n').slice(1)).toEqual(['filler']);
    }
  });
});

describe('orphan cleanup removes only directories the harness made', () => {
  it('keeps a scratch dir whose name does not start with tokenrace-, and removes one that does', async () => {
    const guard = path.join(path.dirname(BIN), '..', 'dist', 'fleet', 'orphan-guard.js');
    for (const prefix of ['not-ours-', 'tokenrace-guard-']) {
      const dir = await mkdtemp(path.join(tmpdir(), prefix));
      await writeFile(path.join(dir, 'file'), 'x');
      const child = spawn(process.execPath, ['--import', guard, '-e', 'setInterval(() => {}, 1000)'], {
        env: { ...process.env, TOKENRACE_SCRATCH_DIR: dir },
        stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
      });
      await new Promise((resolve) => setTimeout(resolve, 500));
      child.disconnect();
      const [code] = (await once(child, 'exit')) as [number | null];

      expect(code).toBe(0);
      expect(existsSync(dir)).toBe(prefix === 'not-ours-');
      await rm(dir, { recursive: true, force: true });
    }
  });
});
