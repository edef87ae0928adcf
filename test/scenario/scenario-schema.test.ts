import { describe, expect, it } from 'vitest';
import { TokenraceError } from '../../harness/errors.js';
import { validateScenario } from '../../harness/scenario/load-scenario.js';
import { workloadMs } from '../../harness/scenario/scenario-schema.js';

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
    expect(scenario.client.requestTimeout).toBe(5000);
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
    ['a negative retry count', { client: { retries: -3 } }, '$.client.retries'],
    ['an unknown client profile', { client: { profile: 'telepathic' } }, '$.client.profile'],
    ['an unknown server policy', { server: { reuse: 'lenient' } }, '$.server.reuse'],
    ['a fault probability above 1', { server: { faults: [{ kind: 'error', probability: 2 }] } }, '$.server.faults[0].probability'],
    ['an unknown layout', { layouts: ['legacy', 'attic'] }, '$.layouts[1]'],
    ['an unknown field (a typo)', { wokers: 4 }, '$.wokers'],
    ['an unknown nested field', { client: { stael: 2000 } }, '$.client.stael'],
    ['a source that is not a URL', { sources: ['see the forum'] }, '$.sources[0]'],
    ['a margin not below the TTL', { tokenTtl: 1000, refreshMargin: 1000 }, '$.refreshMargin'],
    ['both duration and cycles', { duration: '2s', cycles: 2 }, '$.cycles'],
    ['an expectation out of the grammar', { expect: { legacy: { invalid_grant: 'lots' } } }, '$.expect.legacy.invalid_grant'],
    ['an expectation on an unknown counter', { expect: { legacy: { invalid_grants: 0 } } }, '$.expect.legacy.invalid_grants'],
    ['an expectation for a layout not run', { layouts: ['shared'], expect: { legacy: { invalid_grant: 0 } } }, '$.expect.legacy'],
  ])('refuses %s with its JSON path', (_, fields, path) => {
    const { code, path: named } = refusal({ ...minimal, ...fields });

    expect(code).toBe('ERR_SCENARIO_INVALID');
    expect(named).toBe(path);
  });

  it.each([
    ['stale below 2s', { stale: 1500 }, '$.client.stale'],
    ['update below 1s', { update: 500 }, '$.client.update'],
    ['update above stale/2', { stale: 4000, update: 3000 }, '$.client.update'],
    ['update above the preset stale/2', { update: '6s' }, '$.client.update'],
  ])('refuses lock timings proper-lockfile would silently change: %s', (_, client, path) => {
    const { code, path: named } = refusal({ ...minimal, client });

    expect(code).toBe('ERR_SCENARIO_INVALID');
    expect(named).toBe(path);
  });

  it('accepts lock timings proper-lockfile keeps as given', () => {
    const scenario = validateScenario({ ...minimal, client: { stale: '2s', update: '1s' } }, 'probe.json');

    expect([scenario.client.stale, scenario.client.update]).toEqual([2000, 1000]);
  });
});
