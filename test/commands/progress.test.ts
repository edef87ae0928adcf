import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createProgress, shouldShowProgress } from '../../harness/commands/progress.js';
import { at } from '../helpers/history.js';
import { PROJECT_ROOT } from '../helpers/cli.js';

function fakeTerminal(): { stream: NodeJS.WriteStream; output: () => string } {
  const stream = Object.assign(new PassThrough(), { isTTY: true, columns: 120, cursorTo: () => true, clearLine: () => true, moveCursor: () => true });
  let text = '';
  stream.on('data', (chunk) => (text += chunk));
  return { stream: stream as unknown as NodeJS.WriteStream, output: () => text };
}

describe('terminal progress', () => {
  it('is shown only on a terminal outside CI', () => {
    expect(shouldShowProgress(true, {})).toBe(true);
    expect(shouldShowProgress(true, { CI: 'true' })).toBe(false);
    expect(shouldShowProgress(true, { CI: '1' })).toBe(false);
    expect(shouldShowProgress(true, { CI: 'false' })).toBe(true);
    expect(shouldShowProgress(false, {})).toBe(false);
  });

  it('draws nothing when stderr is not a terminal', () => {
    const terminal = fakeTerminal();
    const progress = createProgress({ isTty: false, env: {}, write: () => undefined, stream: terminal.stream });

    expect(progress.startLayout('shared', 1000)).toBe(false);
    progress.stop();
    expect(terminal.output()).toBe('');
  });

  it('counts the layout\'s refreshes and invalid_grants into its bar', () => {
    const terminal = fakeTerminal();
    const progress = createProgress({ isTty: true, env: {}, write: () => undefined, stream: terminal.stream });

    expect(progress.startLayout('legacy', 1000)).toBe(true);
    progress.onEvent({ ...at(1, 1, 'invalid_grant', { presented: 'a', latencyMs: 1 }), layout: 'legacy' });
    progress.onEvent({ ...at(2, 2, 'invalid_grant', { presented: 'a', latencyMs: 1 }), layout: 'legacy' });
    progress.onEvent(at(3, 1, 'invalid_grant', { presented: 'a', latencyMs: 1 }));
    progress.stop();

    expect(terminal.output()).toContain('invalid_grant 2');
  });
});

describe('a run on a real terminal', () => {
  // The progress bar exists only on a terminal outside CI, so a run piped or under CI never
  // reaches its code: this one runs under script(1), which gives the CLI a pseudo-terminal.
  it.runIf(existsSync('/usr/bin/script'))('draws progress and finishes with its verdict, not a harness error', async () => {
    const out = await mkdtemp(path.join(tmpdir(), 'tokenrace-tty-'));
    try {
      const command = [process.execPath, path.join(PROJECT_ROOT, 'bin', 'tokenrace.js'), 'compare', '--workers', '2',
        '--duration', '1s', '--isolation', 'paths', '--allow-inconclusive', '--out', out].map(shellQuote).join(' ');
      const env = { ...process.env };
      delete env.CI;
      const run = spawnSync('script', ['-qec', command, '/dev/null'], { env, encoding: 'utf8', timeout: 120_000 });

      expect(run.stdout).not.toContain('TypeError');
      expect([0, 1]).toContain(run.status);
      const [runId] = await readdir(out);
      const report = JSON.parse(await readFile(path.join(out, runId!, 'report.json'), 'utf8'));
      expect(report.interrupted).toBe(false);
      expect(report.harness_error ?? null).toBeNull();
      // cli-progress draws its bar with a carriage return on the terminal.
      expect(run.stdout).toMatch(/legacy.*\r|\r.*legacy/s);
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });
});

function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}
