import { describe, expect, it } from 'vitest';
import { TokenraceError } from '../../harness/errors.js';
import { validateScenario } from '../../harness/scenario/load-scenario.js';
import { workloadMs } from '../../harness/scenario/scenario-schema.js';
import { specForWorker, specsOfScenario } from '../../harness/client/client-spec.js';
import { fleetLabel } from '../../harness/run/run-scenario.js';

const minimal = { name: 'probe', description: 'a probe' };

/** The refusal's error code and the JSON path it names (the text before ": got"). */
function refusal(input: Record<string, unknown>): { code: string; path: string } {
  try {
    validateScenario(input, 'probe.json');
  } catch (error) {
    const { code, message } = error as TokenraceError;
    return { code, path: message.split(': got')[0]! };
  }
  throw new Error('the scenario was accepted');
}

describe('the scenario schema', () => {
  it('fills every omitted field from the defaults', () => {
    const scenario = validateScenario(minimal, 'probe.json');

    expect(scenario.workers).toBe(8);
    expect(scenario.layouts).toEqual(['legacy', 'shared']);
    expect(scenario.tokenTtl).toBe(1000);
    expect(scenario.refreshMargin).toBe(400);
    expect(scenario.server.refreshLatency).toBe(50);
    expect(scenario.client.profile).toBe('beside-only');
    expect(scenario.faults).toEqual([]);
    expect(workloadMs(scenario)).toBe(4000);
  });

  it('reads durations written as text and turns cycles into token lifetimes', () => {
    const scenario = validateScenario({ ...minimal, tokenTtl: '2s', refreshMargin: '500ms', cycles: 3 }, 'probe.json');

    expect(scenario.tokenTtl).toBe(2000);
    expect(workloadMs(scenario)).toBe(6000);
  });

  it.each([
    ['a wrong type', { workers: 'four' }, '$.workers'],
    ['a negative count', { workers: -1 }, '$.workers'],
    ['a negative retry count', { client: { lockRetries: -3 } }, '$.client.lockRetries'],
    ['a negative worker number in a fault', { faults: [{ kind: 'kill-holding-lock', workers: [-1] }] }, '$.faults[0].workers[0]'],
    ['an unknown worker fault', { faults: [{ kind: 'meteor' }] }, '$.faults[0].kind'],
    ['a client mix that does not add up', { workers: 3, clients: [{ workers: 2, client: {} }] }, '$.clients'],
    ['an unknown client profile', { client: { profile: 'telepathic' } }, '$.client.profile'],
    ['an unknown server policy', { server: { reuse: 'lenient' } }, '$.server.reuse'],
    ['a fault probability above 1', { server: { faults: [{ kind: 'error', probability: 2 }] } }, '$.server.faults[0].probability'],
    ['an unknown layout', { layouts: ['legacy', 'attic'] }, '$.layouts[1]'],
    ['an unknown field (a typo)', { wokers: 4 }, '$.wokers'],
    ['an unknown nested field', { client: { stael: 2000 } }, '$.client.stael'],
    ['an unknown layout in expect', { expect: { attic: { invalid_grant: 0 } } }, '$.expect.attic'],
    ['a source that is not a URL', { sources: ['see the forum'] }, '$.sources[0]'],
    ['a margin not below the TTL', { tokenTtl: 1000, refreshMargin: 1000 }, '$.refreshMargin'],
    ['both duration and cycles', { duration: '2s', cycles: 2 }, '$.cycles'],
    ['an expectation out of the grammar', { expect: { legacy: { invalid_grant: 'lots' } } }, '$.expect.legacy.invalid_grant'],
    ['an expectation on an unknown counter', { expect: { legacy: { invalid_grants: 0 } } }, '$.expect.legacy.invalid_grants'],
    ['an expectation for a layout not run', { layouts: ['shared'], expect: { legacy: { invalid_grant: 0 } } }, '$.expect.legacy'],
    ['an unknown client kind', { client: { kind: 'telnet' } }, '$.client.kind'],
    ['an exec client without a command', { client: { kind: 'exec' } }, '$.client.command'],
    ['a command for the built-in client', { client: { command: 'sh x.sh' } }, '$.client.command'],
    ['a model knob beside an exec client', { client: { kind: 'exec', command: 'sh x.sh', lockRetries: 3 } }, '$.client.lockRetries'],
    ['a version for an exec client', { client: { kind: 'exec', command: 'sh x.sh', version: '2.1.0' } }, '$.client.version'],
    ['a version that is not x.y.z', { client: { kind: 'claude-code', version: 'latest' } }, '$.client.version'],
    ['a model knob in a mixed fleet entry', { workers: 2, clients: [{ workers: 2, client: { kind: 'claude-code', staleMs: 3000 } }] }, '$.clients[0].client.staleMs'],
  ])('refuses %s with its JSON path', (_, fields, path) => {
    const { code, path: named } = refusal({ ...minimal, ...fields });

    expect(code).toBe('ERR_SCENARIO_INVALID');
    expect(named).toBe(path);
  });

  it.each([
    ['stale below 2s', { staleMs: 1500 }, '$.client.staleMs'],
    ['update below 1s', { updateMs: 500 }, '$.client.updateMs'],
    ['update above stale/2', { staleMs: 4000, updateMs: 3000 }, '$.client.updateMs'],
    ['update above the preset stale/2', { updateMs: 6000 }, '$.client.updateMs'],
  ])('refuses lock timings proper-lockfile would silently change: %s', (_, client, path) => {
    const { code, path: named } = refusal({ ...minimal, client });

    expect(code).toBe('ERR_SCENARIO_INVALID');
    expect(named).toBe(path);
  });

  it('spells out which client each worker runs, for one kind and for a mixed fleet', () => {
    const exec = validateScenario({ ...minimal, client: { kind: 'exec', command: 'sh client.sh' } }, 'probe.json');
    expect(specsOfScenario(exec)).toEqual([{ kind: 'exec', command: 'sh client.sh' }]);
    expect(fleetLabel(exec)).toBe('exec');

    const mixed = validateScenario(
      {
        ...minimal,
        workers: 3,
        clients: [
          { workers: 2, client: { kind: 'claude-code', version: '2.1.100' } },
          { workers: 1, client: { profile: 'no-lock' } },
        ],
      },
      'probe.json',
    );
    const specs = specsOfScenario(mixed);
    expect([1, 2, 3].map((worker) => specForWorker(specs, worker).kind)).toEqual(['claude-code', 'claude-code', 'builtin']);
    expect(specs[0]).toEqual({ kind: 'claude-code', version: '2.1.100' });
    expect(fleetLabel(mixed)).toBe('2×claude-code@2.1.100 + 1×no-lock');
  });

  it('lets expectations name real-client counters', () => {
    const scenario = validateScenario({ ...minimal, expect: { legacy: { 'real.max_posts_per_generation': '>1', 'real.sessions_lost': true } } }, 'probe.json');
    expect(Object.keys(scenario.expect.legacy!)).toEqual(['real.max_posts_per_generation', 'real.sessions_lost']);
  });

  it('shows the value a cross-field rule refused, even when it was a default', () => {
    expect(() => validateScenario({ ...minimal, tokenTtl: '100ms' }, 'probe.json')).toThrow(
      '$.refreshMargin: got "400 ms", expected less than tokenTtl (100 ms)',
    );
  });

  it('accepts lock timings proper-lockfile keeps as given', () => {
    const scenario = validateScenario({ ...minimal, client: { staleMs: 2000, updateMs: 1000 } }, 'probe.json');

    expect([scenario.client.staleMs, scenario.client.updateMs]).toEqual([2000, 1000]);
  });
});
