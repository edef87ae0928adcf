import { describe, expect, it } from 'vitest';
import {
  assignClients,
  clientSettingsSchema,
  resolveClientMix,
  resolveClientSettings,
} from '../../harness/client/client-profile.js';
import { BESIDE_ONLY_PROFILE } from '../../harness/scenario/options.js';

function refusal(input: unknown): { code: string; message: string } {
  try {
    resolveClientSettings(input);
  } catch (error) {
    return error as { code: string; message: string };
  }
  throw new Error('accepted');
}

describe('client profiles', () => {
  it('parses an empty object into the beside-only client compare has always run', () => {
    const knobs = clientSettingsSchema.parse({});

    expect(knobs).toEqual(BESIDE_ONLY_PROFILE);
    expect(knobs.profile).toBe('beside-only');
    expect(knobs.lockPlacement).toBe('beside');
    expect(knobs.realpath).toBe(true);
    expect(knobs.rereadAfterLock).toBe(true);
    expect(knobs.writeMode).toBe('atomic');
    expect(knobs.flock.placement).toBe('off');
  });

  it('fills a preset and lets a knob given beside it win', () => {
    const observed = resolveClientSettings({ profile: 'inside-and-beside' });
    expect(observed).toMatchObject({ lockPlacement: 'both', insideRealpath: false, lockRetries: 5, onInvalidGrant: 'wipe-store' });
    expect([observed.lockRetryMinMs, observed.lockRetryMaxMs]).toEqual([1000, 2000]);

    const changed = resolveClientSettings({ profile: 'inside-and-beside', lockRetries: 2 });
    expect(changed.lockRetries).toBe(2);
    expect(resolveClientSettings({ profile: 'no-lock' }).lockPlacement).toBe('none');
  });

  it('refuses stale and update values proper-lockfile would silently raise, naming the field', () => {
    const stale = refusal({ staleMs: 1500 });
    expect(stale.code).toBe('ERR_INVALID_OPTION');
    expect(stale.message.startsWith('client.staleMs: got 1500')).toBe(true);

    expect(refusal({ updateMs: 500 }).message.startsWith('client.updateMs: got 500')).toBe(true);
    expect(refusal({ staleMs: 4000, updateMs: 3000 }).message.startsWith('client.updateMs: got 3000')).toBe(true);
    expect(refusal({ lockRetryMinMs: 90, lockRetryMaxMs: 10 }).message.startsWith('client.lockRetryMinMs')).toBe(true);
  });

  it('refuses unknown knobs, unknown profiles and wrong types', () => {
    expect(refusal({ stale: 3000 }).code).toBe('ERR_INVALID_OPTION');
    expect(refusal({ profile: 'claude' }).message.startsWith('client.profile')).toBe(true);
    expect(refusal({ writeMode: 'append' }).message.startsWith('client.writeMode')).toBe(true);
    expect(refusal({ flock: { placement: 'nfs' } }).message.startsWith('client.flock.placement')).toBe(true);
  });

  it('accepts any lock timing for a client that takes no lock', () => {
    expect(resolveClientSettings({ profile: 'no-lock', staleMs: 10, updateMs: 5 }).staleMs).toBe(10);
  });

  it('assigns a mix of clients to workers in order, and refuses a mix that does not add up', () => {
    const mix = resolveClientMix([
      { workers: 2, client: {} },
      { workers: 1, client: { profile: 'inside-and-beside', label: 'helper', staleMs: 60_000, updateMs: 30_000 } },
    ]);
    const assigned = assignClients(mix, 3);

    expect(assigned.map((knobs) => knobs.label ?? knobs.profile)).toEqual(['beside-only', 'beside-only', 'helper']);
    expect(assigned[2]!.staleMs).toBe(60_000);
    expect(() => assignClients(mix, 4)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_OPTION' }));
  });
});
