import { afterEach, describe, expect, it } from 'vitest';
import type { ServerSettingsInput } from '../../harness/endpoint/server-settings.js';
import { startEndpoint } from '../helpers/endpoint.js';

let endpoint: Awaited<ReturnType<typeof startEndpoint>> | undefined;
afterEach(async () => {
  await endpoint?.close();
  endpoint = undefined;
});

async function loggedIn(server: ServerSettingsInput, seed = 1) {
  endpoint = await startEndpoint(server, seed);
  return (await endpoint.login()).body;
}

function tokenEntries() {
  return endpoint!.ledger.filter((entry) => entry.route === '/v1/oauth/token');
}

describe('latency', () => {
  it('delays a token answer by a fixed delay', async () => {
    const first = await loggedIn({ faults: [{ kind: 'latency', distribution: 'fixed', delay: 300 }] });

    const started = performance.now();
    expect((await endpoint!.refresh(first.refresh_token)).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    expect(tokenEntries()[0]!.faults).toEqual([{ kind: 'latency', delayMs: 300 }]);
  });

  it('draws uniform delays within their bounds', async () => {
    let token = (
      await loggedIn({ faults: [{ kind: 'latency', distribution: 'uniform', min: 5, max: 40 }] })
    ).refresh_token;

    for (let request = 0; request < 8; request += 1) token = (await endpoint!.refresh(token)).body.refresh_token;
    const delays = tokenEntries().map((entry) => (entry.faults![0] as { delayMs: number }).delayMs);
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(5);
    expect(Math.max(...delays)).toBeLessThanOrEqual(40);
    expect(new Set(delays).size).toBeGreaterThan(1);
  });
});

describe('error before and after commit', () => {
  it('a 5xx before the commit leaves the token live', async () => {
    const first = await loggedIn({ faults: [{ kind: 'error', phase: 'before-commit', first: 1 }] });

    expect((await endpoint!.refresh(first.refresh_token)).status).toBe(503);
    expect((await endpoint!.refresh(first.refresh_token)).status).toBe(200);
    expect(tokenEntries()[0]).toMatchObject({ status: 503, outcome: 'fault_before_commit' });
  });

  it('a 5xx after the commit has spent the token: the client never learns the new one', async () => {
    const first = await loggedIn({ faults: [{ kind: 'error', phase: 'after-commit', status: 502, first: 1 }] });

    expect((await endpoint!.refresh(first.refresh_token)).status).toBe(502);
    expect((await endpoint!.refresh(first.refresh_token)).status).toBe(400);
    expect(tokenEntries()[0]).toMatchObject({ status: 502, outcome: 'refresh_ok', delivered: false });
  });

  it('a grace window saves the session after a 5xx after commit', async () => {
    const first = await loggedIn({
      grace: { window: '5s' },
      faults: [{ kind: 'error', phase: 'after-commit', first: 1 }],
    });

    expect((await endpoint!.refresh(first.refresh_token)).status).toBe(503);
    expect((await endpoint!.refresh(first.refresh_token)).status).toBe(200);
  });
});

describe('connection reset', () => {
  it('before the commit: no answer, token still live', async () => {
    const first = await loggedIn({ faults: [{ kind: 'reset', phase: 'before-commit', requests: [1] }] });

    await expect(endpoint!.refresh(first.refresh_token)).rejects.toThrow();
    expect((await endpoint!.refresh(first.refresh_token)).status).toBe(200);
    expect(tokenEntries()[0]).toMatchObject({ status: 0, outcome: 'fault_before_commit' });
  });

  it('after the commit: no answer, token spent', async () => {
    const first = await loggedIn({ faults: [{ kind: 'reset', phase: 'after-commit', requests: [1] }] });

    await expect(endpoint!.refresh(first.refresh_token)).rejects.toThrow();
    expect((await endpoint!.refresh(first.refresh_token)).status).toBe(400);
    expect(tokenEntries()[0]).toMatchObject({ status: 0, outcome: 'refresh_ok', delivered: false });
  });
});

describe('hang', () => {
  it('holds a committed answer past the client timeout: the client gives up, the token is spent', async () => {
    const first = await loggedIn({ faults: [{ kind: 'hang', hold: 1500, first: 1 }] });

    const gaveUp = endpoint!.refresh(first.refresh_token, { signal: AbortSignal.timeout(300) });
    await expect(gaveUp).rejects.toThrow();
    expect((await endpoint!.refresh(first.refresh_token)).status).toBe(400);
    // A held request is recorded when the hold ends, so it lands in the ledger after the replay.
    await new Promise((resolve) => setTimeout(resolve, 1400));
    const held = tokenEntries().find((entry) => entry.faults?.[0]?.kind === 'hang');
    expect(held).toMatchObject({ outcome: 'refresh_ok', status: 0, delivered: false, request: 1 });
  });

  it('before the commit: the client gives up and its token is still live', async () => {
    const first = await loggedIn({ faults: [{ kind: 'hang', phase: 'before-commit', hold: 600, first: 1 }] });

    const gaveUp = endpoint!.refresh(first.refresh_token, { signal: AbortSignal.timeout(200) });
    await expect(gaveUp).rejects.toThrow();
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(tokenEntries()[0]).toMatchObject({ outcome: 'fault_before_commit', status: 0 });
    expect((await endpoint!.refresh(first.refresh_token)).status).toBe(200);
  });

  it('still answers a client that waits longer than the hold', async () => {
    const first = await loggedIn({ faults: [{ kind: 'hang', hold: 200, first: 1 }] });

    const started = performance.now();
    expect((await endpoint!.refresh(first.refresh_token)).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
    expect(tokenEntries()[0]).toMatchObject({ outcome: 'refresh_ok', status: 200, delivered: true });
  });
});

describe('schedules and probability', () => {
  async function statusesOf(server: ServerSettingsInput, requests: number, seed = 1) {
    let token = (await loggedIn(server, seed)).refresh_token;
    const statuses: number[] = [];
    for (let request = 0; request < requests; request += 1) {
      const answer = await endpoint!.refresh(token);
      statuses.push(answer.status);
      if (answer.status === 200) token = answer.body.refresh_token;
    }
    await endpoint!.close();
    endpoint = undefined;
    return statuses;
  }
  const beforeError = { kind: 'error', phase: 'before-commit' } as const;

  it('hits every Nth token request', async () => {
    const statuses = await statusesOf({ faults: [{ ...beforeError, every: 3 }] }, 7);
    expect(statuses).toEqual([200, 200, 503, 200, 200, 503, 200]);
  });

  it('hits the first N token requests', async () => {
    const statuses = await statusesOf({ faults: [{ ...beforeError, first: 2 }] }, 4);
    expect(statuses).toEqual([503, 503, 200, 200]);
  });

  it('draws a probability from the seed: the same seed hits the same requests', async () => {
    const server = { faults: [{ ...beforeError, probability: 0.5 }] };
    const once = await statusesOf(server, 30, 42);
    const again = await statusesOf(server, 30, 42);
    const other = await statusesOf(server, 30, 43);

    expect(again).toEqual(once);
    expect(other).not.toEqual(once);
    const hits = once.filter((status) => status === 503).length;
    expect(hits).toBeGreaterThan(5);
    expect(hits).toBeLessThan(25);
  });
});

describe('closing the endpoint', () => {
  it('ends held responses at once and records them as dropped', async () => {
    const first = await loggedIn({ faults: [{ kind: 'hang', hold: '1m' }] });

    const pending = endpoint!.refresh(first.refresh_token).catch(() => 'dropped');
    await new Promise((resolve) => setTimeout(resolve, 100));
    const started = performance.now();
    await endpoint!.close();

    expect(performance.now() - started).toBeLessThan(1000);
    expect(await pending).toBe('dropped');
    expect(tokenEntries()).toHaveLength(1);
    expect(tokenEntries()[0]).toMatchObject({ status: 0, delivered: false });
  });
});
