import { execFileSync } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli, scratchDir } from './helpers/cli.js';

/**
 * Clients that break the contract are named in the report, stopped and cleaned up: one walks
 * away at once, one never ends, one floods the endpoint, one writes garbage into the store and
 * onto its event descriptor. One command plays all four, chosen by the container's worker id.
 */
let out: { dir: string; remove: () => Promise<void> };
beforeEach(async () => (out = await scratchDir()));
afterEach(async () => out.remove());

const HANG_MARK = '617.25';
const MISBEHAVE = [
  'case $TOKENRACE_WORKER in',
  '1) exit 0 ;;',
  `2) exec sleep ${HANG_MARK} ;;`,
  '3) timeout 2 curl -s -o /dev/null -H "x-tokenrace-worker: 3" "$TOKENRACE_API_URL?n=[1-100000]" ;;',
  '4) printf "not json" > "$TOKENRACE_CREDENTIALS"; echo "junk" >&3 ;;',
  'esac',
  'while [ "$(date +%s%3N)" -lt "$TOKENRACE_DEADLINE_EPOCH_MS" ]; do sleep 0.1; done',
].join('\n');

describe('misbehaving exec clients', () => {
  it('are reported as early exit, hung, flood and garbage, and none outlives the run', async () => {
    const run = await runCli([
      'compare', '--client-cmd', MISBEHAVE, '--layouts', 'shared', '--workers', '4', '--duration', '3s',
      '--json', '--out', out.dir,
    ]);
    const real = JSON.parse(run.stdout).layouts.shared.real;
    const kinds = (worker: number) =>
      real.misbehaviour.filter((odd: { worker: number }) => odd.worker === worker).map((odd: { kind: string }) => odd.kind);

    expect(kinds(1)).toContain('exited_early');
    expect(kinds(2)).toContain('hung');
    expect(kinds(3)).toContain('flooded');
    expect(kinds(4)).toContain('garbage_events');
    expect(real.store).toBe('corrupt');
    expect(real.sessions_lost).toBe(true);
    expect(real.exit_codes.SIGKILL).toBe(1);
    const left = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' });
    expect(left).not.toContain(`sleep ${HANG_MARK}`);
  });
});
