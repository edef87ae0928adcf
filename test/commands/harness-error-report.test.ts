import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createReportDir, newRunId } from '../../harness/commands/report-dir.js';
import { runScenarioToReports } from '../../harness/commands/run-command.js';
import { chooseIsolation } from '../../harness/isolation/isolation.js';
import { LIBRARY_DIR, loadScenario } from '../../harness/scenario/load-scenario.js';
import { runCli, scratchDir } from '../helpers/cli.js';

let scratch: { dir: string; remove: () => Promise<void> };
beforeEach(async () => (scratch = await scratchDir()));
afterEach(async () => scratch.remove());

describe('a run ended early by a harness error', () => {
  it('still writes a partial report that names the error, and `tokenrace report` rebuilds it', async () => {
    const { scenario } = await loadScenario('compare', LIBRARY_DIR, { workers: 2, duration: '1s', isolation: 'paths' });
    const runId = newRunId();
    const reportDir = await createReportDir(path.join(scratch.dir, 'reports'), runId);
    // The store root passed its preflight and was then replaced by a file: the first layout
    // cannot make its store under it, and the run ends there.
    const storeRoot = path.join(scratch.dir, 'store-root');
    await writeFile(storeRoot, 'not a directory');
    let stderr = '';
    const signal = new AbortController().signal;
    const io = { stdout: () => undefined, stderr: (text: string) => void (stderr += text), signal };

    const prepared = { judge: 'compare' as const, isolation: chooseIsolation('paths'), runId, reportDir, storeRoot };
    const run = runScenarioToReports(scenario, prepared, io);

    const thrown = await run.then(() => null, (error: NodeJS.ErrnoException) => error);
    expect(thrown?.code).toBe('ENOTDIR');
    const report = JSON.parse(await readFile(path.join(reportDir, 'report.json'), 'utf8'));
    expect(report.harness_error).toEqual({ code: 'ENOTDIR', message: thrown!.message });
    expect(report).toMatchObject({ verdict: 'inconclusive', exit_code: 4, interrupted: false });
    expect(report.reasons[0]).toMatch(/^the run ended early on a harness error: ENOTDIR: /);
    expect(stderr).toContain('partial report: ');
    const lines = (await readFile(path.join(reportDir, 'events.ndjson'), 'utf8')).trim().split('\n');
    expect(JSON.parse(lines.at(-1)!)).toMatchObject({ type: 'run_end', harnessError: { code: 'ENOTDIR' } });

    const copy = path.join(scratch.dir, 'copy');
    await mkdir(copy);
    await copyFile(path.join(reportDir, 'events.ndjson'), path.join(copy, 'events.ndjson'));
    const rebuilt = await runCli(['report', copy, '--json']);

    expect(rebuilt.code).toBe(4);
    const { reportDir: _dir, ...again } = JSON.parse(rebuilt.stdout);
    const { reportDir: _original, ...first } = report;
    expect(again).toEqual(first);
  });
});
