import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createProgress, shouldShowProgress } from '../../harness/commands/progress.js';
import { at } from '../helpers/history.js';

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
