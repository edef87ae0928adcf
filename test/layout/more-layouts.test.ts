import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fingerprint } from '../../harness/fingerprint.js';
import { probeNamespaces } from '../../harness/isolation/isolation.js';
import { eventsOf, runFleet } from '../helpers/fleet.js';

const namespaces = probeNamespaces();

describe('more layouts', () => {
  it('host-symlink: with realpath the host and the containers lock one place, without it two', async () => {
    const resolved = await runFleet({ layout: 'host-symlink', workers: 4, client: { realpath: true } });
    const literal = await runFleet({ layout: 'host-symlink', workers: 4, client: { realpath: false } });

    expect(resolved.counters.lock_locations).toBe(1);
    expect(resolved.counters.invalid_grant).toBe(0);
    expect(literal.counters.lock_locations).toBe(2);
    // Host processes reach the store through ~/.claude, containers through CLAUDE_CONFIG_DIR.
    const starts = eventsOf(literal.events, 'session_start');
    expect(starts.find((event) => event.worker === 1)?.configDir.endsWith('/.claude')).toBe(true);
    expect(starts.find((event) => event.worker === 2)?.configDir.endsWith('/config')).toBe(true);
  });

  it.runIf(namespaces.isolation === 'namespace')('file-mount: every write lands in the one shared credentials file', async () => {
    // Replacing a container's private config dir from the host once detached its bind mount and
    // quietly made file-mount a copies layout; the store's last token must be the last issued.
    const storeRoot = await mkdtemp(path.join(tmpdir(), 'tokenrace-file-mount-test-'));
    try {
      const { counters, events } = await runFleet({ layout: 'file-mount', isolation: 'namespace', workers: 1, storeRoot });
      const issued = eventsOf(events, 'ledger').filter((entry) => entry.issued !== null);
      const [file] = await readdirRecursive(storeRoot, '.credentials.json');
      const stored = JSON.parse(await readFile(file!, 'utf8')).claudeAiOauth.refreshToken as string;

      expect(counters.refresh_ok).toBeGreaterThan(0);
      expect(fingerprint(stored)).toBe(issued.at(-1)!.issued);
    } finally {
      await rm(storeRoot, { recursive: true, force: true });
    }
  });

  it('copies: every container spends the same first refresh token, then the chains split', async () => {
    const { counters } = await runFleet({ layout: 'copies', workers: 3 });

    expect(counters.lock_locations).toBe(3);
    // All copies hold the one seeded token: one refresh wins, the other two are invalid_grant.
    expect(counters.invalid_grant).toBeGreaterThanOrEqual(2);
  });

  it('the flock wrapper on the shared store serialises whole sessions; container-local, nothing', async () => {
    const shared = await runFleet({ layout: 'legacy', workers: 3, client: { flock: { placement: 'shared' } } });
    const local = await runFleet({ layout: 'legacy', workers: 3, client: { flock: { placement: 'local' } } });

    expect(shared.counters.invalid_grant).toBe(0);
    expect(shared.counters.flock_wait_ms).toBeGreaterThan(0);
    expect(local.counters.invalid_grant).toBeGreaterThan(0);
    // Serialised sessions do less work in the same time: the cost the wrapper is measured for.
    expect(shared.counters.api_ok).toBeLessThan(local.counters.api_ok);
  });

  it(`names the filesystems a run used: tmpfs store, overlay homes (namespaces here: ${namespaces.isolation})`, async () => {
    if (namespaces.isolation !== 'namespace') {
      await expect(runFleet({ isolation: 'paths', filesystems: { home: 'overlay' } })).rejects.toMatchObject({ code: 'ERR_INVALID_OPTION' });
      return;
    }
    const { counters, events } = await runFleet({
      isolation: 'namespace',
      layout: 'legacy',
      workers: 3,
      client: { lockPlacement: 'inside' },
      filesystems: { store: 'tmpfs', home: 'overlay' },
    });

    expect(counters.filesystems).toEqual({ store: 'tmpfs', home: 'overlay' });
    const start = eventsOf(events, 'session_start')[0]!;
    expect([start.storeFs, start.homeFs]).toEqual(['tmpfs', 'overlay']);
    // mkdir is atomic on tmpfs too: the inside lock still serialises the fleet.
    expect(counters.lock_locations).toBe(1);
    expect(counters.invalid_grant).toBe(0);
  });

  it('puts the homes on tmpfs and the store on disk when asked', async () => {
    const { counters } = await runFleet({ workers: 2, filesystems: { store: 'disk', home: 'tmpfs' } });

    expect(counters.filesystems?.home).toBe('tmpfs');
    expect(counters.filesystems?.store).not.toBe('tmpfs');
  });
});

async function readdirRecursive(dir: string, name: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true });
  return entries.filter((entry) => path.basename(entry) === name).map((entry) => path.join(dir, entry));
}
