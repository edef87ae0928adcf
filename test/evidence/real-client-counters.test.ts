import { describe, expect, it } from 'vitest';
import { judgeLayout } from '../../harness/evidence/layout-evidence.js';
import { countRealClients } from '../../harness/evidence/real-client-counters.js';
import { judgeRealClients } from '../../harness/evidence/real-client-verdict.js';
import type { JournalEvent } from '../../harness/journal/events.js';
import { realClientRow } from '../../harness/report/real-client-table.js';

/**
 * What a real-client layout lost, and why, from its journal alone: refused refreshes, runs that
 * ended non-zero, and the store the client left. Synthetic journals, so each cause is seen alone.
 */
const layout = 'legacy' as const;

function journal(options: { outcomes: string[]; exits: Array<number | null>; store: string }): JournalEvent[] {
  const events: unknown[] = [
    { t: 0, layout, type: 'network_route', route: 'proxy', reason: 'test' },
    { t: 0, layout, type: 'client_assigned', worker: 1, client: 'claude-code@2.1.100' },
    { t: 0, layout, type: 'client_assigned', worker: 2, client: 'claude-code@2.1.100' },
    { t: 1, layout, type: 'connect_refused', worker: 2, target: 'CONNECT example.com:443' },
  ];
  options.outcomes.forEach((outcome, index) =>
    events.push({
      t: 2 + index, layout, type: 'ledger', seq: index, route: '/v1/oauth/token', worker: 1 + (index % 2),
      status: outcome === 'refresh_ok' ? 200 : 400, outcome, presented: 'aaaa', issued: null, family: 1, generation: null,
    }),
  );
  options.exits.forEach((exitCode, index) =>
    events.push({
      t: 9, layout, type: 'command_exit', worker: index + 1, run: 1, exitCode, signal: exitCode === null ? 'SIGKILL' : null,
      durationMs: 1, beforeDeadlineMs: 0, outputTail: '',
    }),
  );
  events.push({ t: 10, layout, type: 'store_final', state: options.store, refreshToken: null });
  return events as JournalEvent[];
}

describe('real-client losses', () => {
  it('names no cause when every refresh succeeded, every run exited 0 and the store is live', () => {
    const real = countRealClients(journal({ outcomes: ['refresh_ok'], exits: [0, 0], store: 'ok' }), layout, 2_000);

    expect(real.sessions_lost).toBe(false);
    expect(real.lost_by).toEqual([]);
    expect(real.network_route).toBe('proxy');
    expect(real.connects_refused).toEqual(['w2 CONNECT example.com:443']);
    expect(realClientRow(layout, real).at(-1)).toBe('kept');
  });

  it('names each cause once: family revocation, killed runs and a store holding a refused token', () => {
    const outcomes = ['refresh_ok', 'family_revoked', 'invalid_grant', 'invalid_grant'];
    const real = countRealClients(journal({ outcomes, exits: [null, 1], store: 'dead' }), layout, 2_000);

    expect(real.max_posts_per_generation).toBe(4);
    expect(real.invalid_grant).toBe(3);
    expect(real.lost_by).toEqual(['invalid_grant', 'failed_runs', 'store_dead']);
    expect(realClientRow(layout, real).at(-1)).toBe('LOST (invalid_grant, runs failed, store refused)');
  });

  it('counts a wiped store as a lost session even when no refresh was refused and runs exited 0', () => {
    const real = countRealClients(journal({ outcomes: ['refresh_ok'], exits: [0, 0], store: 'wiped' }), layout, 2_000);

    expect(real.lost_by).toEqual(['store_wiped']);
    const { verdict } = judgeRealClients({ shared: { real } } as Parameters<typeof judgeRealClients>[0]);
    expect(verdict).toBe('fail');
  });
});

describe('the checkers on a layout of real clients', () => {
  it('judge it from the ledger, exits and store, and say which checkers did not judge it', () => {
    const kept = judgeLayout(journal({ outcomes: ['refresh_ok'], exits: [0, 0], store: 'ok' }), { minContendedWindows: 3 });
    const lost = judgeLayout(journal({ outcomes: ['refresh_ok', 'invalid_grant'], exits: [0, 1], store: 'ok' }), { minContendedWindows: 3 });

    expect(kept.verdict).toBe('pass');
    expect(lost.verdict).toBe('fail');
    expect(lost.headline).toMatch(/^sessions lost \(invalid_grant, failed_runs\): 2 refresh POSTs over 1 generations, 1 invalid_grant/);
    // No refresh_ok events from the client: a model checker would call every token unpersisted.
    const statuses = Object.fromEntries(kept.checks.map((check) => [check.checker, check.status]));
    expect(statuses).toEqual({
      sessions: 'pass', contention: 'inconclusive', mutual_exclusion: 'inconclusive',
      token_lineage: 'pass', lost_rotations: 'inconclusive', store_consistency: 'inconclusive',
    });
    expect(kept.checks.find((check) => check.checker === 'lost_rotations')!.summary).toMatch(/^not judged/);
  });
});

describe('the first failed run', () => {
  it('is named with the last line it printed, so a client that cannot start says why', () => {
    const events = journal({ outcomes: [], exits: [0, 2], store: 'ok' }).map((event) =>
      event.type === 'command_exit' && event.exitCode === 2
        ? { ...event, outputTail: 'starting\nsh: 0: cannot open clients/missing.sh: No such file\n' }
        : event,
    );

    expect(countRealClients(events, layout, 2_000).first_failure).toEqual({
      worker: 2, run: 1, exit: '2', output: 'sh: 0: cannot open clients/missing.sh: No such file',
    });
    expect(countRealClients(journal({ outcomes: [], exits: [0, 0], store: 'ok' }), layout, 2_000).first_failure).toBeNull();
  });
});
