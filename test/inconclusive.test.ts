import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli, scratchDir } from './helpers/cli.js';

let out: { dir: string; remove: () => Promise<void> };
beforeEach(async () => (out = await scratchDir()));
afterEach(async () => out.remove());

describe('a run without contention', () => {
  it('is inconclusive with one worker, exits 3, and passes only when inconclusive is allowed', async () => {
    const run = await runCli(['compare', '--workers', '1', '--duration', '2s', '--isolation', 'paths', '--seed', '3', '--json', '--out', out.dir]);
    const result = JSON.parse(run.stdout);

    expect(run.code).toBe(3);
    expect(result.verdict).toBe('inconclusive');
    expect(result.evidence.shared.contention.contended_windows).toBe(0);
    expect(result.evidence.shared.verdict).toBe('inconclusive');
    expect(result.layouts.shared.refresh_ok).toBeGreaterThan(0);

    const allowed = await runCli(['report', result.reportDir, '--allow-inconclusive', '--json']);
    expect(allowed.code).toBe(0);
    expect(JSON.parse(allowed.stdout).verdict).toBe('inconclusive');
    const written = JSON.parse(await readFile(path.join(result.reportDir, 'report.json'), 'utf8'));
    expect(written.gate.allow_inconclusive).toBe(true);
  });
});
