import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fuzzEndpoint, fuzzPolicies, type FuzzFigures } from '../harness/bench/endpoint-fuzz.js';
import { startTokenEndpoint, MAX_BODY_BYTES, TOKEN_PATH, type LedgerEntry, type RunningEndpoint } from '../harness/endpoint/token-endpoint.js';

let endpoint: RunningEndpoint | null = null;
let ledger: LedgerEntry[] = [];
afterEach(async () => {
  await endpoint?.close();
  endpoint = null;
  ledger = [];
});

async function start(extra: { headersTimeoutMs?: number; serverRequestTimeoutMs?: number } = {}) {
  // Each endpoint writes to its own array, so nothing from one test can land in the next.
  const mine: LedgerEntry[] = [];
  ledger = mine;
  endpoint = await startTokenEndpoint({ accessTtlMs: 60_000, refreshLatencyMs: 0, onLedger: (entry) => mine.push(entry), ...extra });
  return new URL(endpoint.url);
}

function open(url: URL): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname, () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Everything the server sends until it closes the connection (or `ms` pass). */
function readUntilClose(socket: Socket, ms = 5_000): Promise<{ text: string; closed: boolean }> {
  return new Promise((resolve) => {
    let text = '';
    const timer = setTimeout(() => resolve({ text, closed: false }), ms);
    socket.on('data', (chunk) => (text += chunk.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ text, closed: true });
    });
  });
}

async function refresh(url: URL, token: string) {
  const response = await fetch(new URL(TOKEN_PATH, url), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ grant_type: 'refresh_token', refresh_token: token }),
  });
  return response.status;
}

describe('the endpoint under hostile input', () => {
  it('answers 600 generated hostile requests as the rules say, with one ledger entry each', async () => {
    const figures = await fuzzEndpoint({ count: 600, seed: 6, concurrency: 32 });

    expect(figures.mismatches).toEqual([]);
    expect(figures.crashes).toBe(0);
    expect(figures.tokenProblems).toEqual([]);
    expect(figures.ledgerProblems).toEqual([]);
    expect(figures.ledgerEntries).toBe(600);
    expect(figures.rotations).toBeGreaterThan(0);
  });

  // What each policy must have done at least once in 400 requests, so that a pass means the
  // policy's own answers were checked, not only the strict ones it shares with every policy.
  const exercised: Record<string, (figures: FuzzFigures) => number> = {
    strict: (figures) => figures.rotations,
    'family-revocation': (figures) => figures.policyEvents.familyRevocations,
    'grace (maxReuse 2)': (figures) => figures.policyEvents.graceReplays,
    'revoke-access-on-refresh': (figures) => figures.revokedAccessRefusals,
    'rate limit': (figures) => figures.policyEvents.rateLimited,
    'non-atomic': (figures) => figures.rotations,
  };

  it.each(fuzzPolicies(400).map(({ name, server }) => [name, server] as const))(
    'answers 400 hostile requests as the %s policy says, with one matching ledger entry each',
    async (name, server) => {
      const figures = await fuzzEndpoint({ count: 400, seed: 16, concurrency: 32, server });

      expect(figures.mismatches).toEqual([]);
      expect(figures.crashes).toBe(0);
      expect(figures.tokenProblems).toEqual([]);
      expect(figures.ledgerProblems).toEqual([]);
      expect(figures.ledgerEntries).toBe(400);
      expect(exercised[name]!(figures)).toBeGreaterThan(0);
    },
  );

  it('notices a server that keeps another policy than the one it should', async () => {
    const [strict, revocation, grace] = ['strict', 'family-revocation', 'grace (maxReuse 2)'].map(
      (name) => fuzzPolicies(400).find((policy) => policy.name === name)!.server,
    );

    const lenient = await fuzzEndpoint({ count: 400, seed: 16, concurrency: 32, server: grace, oracle: strict });
    const forgiving = await fuzzEndpoint({ count: 400, seed: 16, concurrency: 32, server: strict, oracle: revocation });

    // Grace honours replays strict refuses; a strict server keeps families revocation ends.
    expect(lenient.wrongStatus).toBeGreaterThan(0);
    expect(lenient.mismatches[0]).toMatchObject({ expected: 400, got: 200 });
    expect(forgiving.wrongStatus + forgiving.ledgerProblems.length).toBeGreaterThan(0);
  });

  it('refuses an endless chunked body with 413 without reading it to the end, and keeps serving', async () => {
    const url = await start();
    const socket = await open(url);
    socket.write(`POST ${TOKEN_PATH} HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\n`);
    const chunk = Buffer.alloc(8192, 0x61);
    let sent = 0;
    let answered = false;
    const reply = readUntilClose(socket);
    socket.once('data', () => (answered = true));
    // Keeps sending until the server answers: a server that buffered to the end never would.
    while (!answered && !socket.destroyed && sent < 64 * MAX_BODY_BYTES) {
      const ok = socket.write(`${chunk.length.toString(16)}\r\n`) && socket.write(chunk) && socket.write('\r\n');
      sent += chunk.length;
      if (!ok) await new Promise((resolve) => setTimeout(resolve, 1));
    }
    const { text, closed } = await reply;

    expect(text.startsWith('HTTP/1.1 413')).toBe(true);
    expect(closed).toBe(true);
    expect(sent).toBeLessThan(64 * MAX_BODY_BYTES);
    expect(await refresh(url, 'tokenrace-fake-rt-nope')).toBe(400);
    expect(ledger.map((entry) => entry.status)).toEqual([413, 400]);
  });

  it('answers 408 to a sender that never finishes its headers, after the headers timeout', async () => {
    const url = await start({ headersTimeoutMs: 300, serverRequestTimeoutMs: 600 });
    const socket = await open(url);
    socket.write(`POST ${TOKEN_PATH} HTTP/1.1\r\nhost: x\r\n`);
    const started = Date.now();
    const { text, closed } = await readUntilClose(socket);

    expect(text.startsWith('HTTP/1.1 408')).toBe(true);
    expect(closed).toBe(true);
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(ledger.map((entry) => [entry.status, entry.outcome])).toEqual([[408, 'bad_http']]);
  });

  it('answers 408 to a body that trickles in slower than the request timeout allows', async () => {
    const url = await start({ headersTimeoutMs: 300, serverRequestTimeoutMs: 600 });
    const socket = await open(url);
    socket.write(`POST ${TOKEN_PATH} HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{`);
    const { text, closed } = await readUntilClose(socket);

    expect(text.startsWith('HTTP/1.1 408')).toBe(true);
    expect(closed).toBe(true);
    // The handler had started reading the body: the timeout is still one entry, not two.
    await vi.waitFor(() => expect(ledger.length).toBeGreaterThan(0), { timeout: 2_000 });
    await endpoint!.close();
    expect(ledger.map((entry) => [entry.status, entry.outcome])).toEqual([[408, 'bad_http']]);
  });

  it('still answers a client that half-closes its side after sending the request', async () => {
    const url = await start();
    const socket = await open(url);
    const body = JSON.stringify({ grant_type: 'refresh_token', refresh_token: 'tokenrace-fake-rt-x' });
    socket.end(`POST ${TOKEN_PATH} HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n${body}`);
    const { text } = await readUntilClose(socket);

    expect(text.startsWith('HTTP/1.1 400')).toBe(true);
    expect(text).toContain('invalid_grant');
    expect(ledger.map((entry) => entry.outcome)).toEqual(['invalid_grant']);
  });

  it('records a body cut off mid-way once, as aborted, and keeps serving', async () => {
    const url = await start();
    const socket = await open(url);
    socket.write(`POST ${TOKEN_PATH} HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{"gr`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    socket.destroy();
    await new Promise((resolve) => setTimeout(resolve, 100));

    expect(await refresh(url, 'tokenrace-fake-rt-nope')).toBe(400);
    expect(ledger.map((entry) => [entry.status, entry.outcome])).toEqual([[499, 'aborted'], [400, 'invalid_grant']]);
  });

  it('lets exactly one of 500 simultaneous refreshes with the same token win', async () => {
    const url = await start();
    const pair = endpoint!.registry.login();
    const statuses = await Promise.all(Array.from({ length: 500 }, () => refresh(url, pair.refreshToken)));

    expect(statuses.filter((status) => status === 200).length).toBe(1);
    expect(statuses.filter((status) => status === 400).length).toBe(499);
    expect(ledger.length).toBe(500);
    expect(ledger.filter((entry) => entry.outcome === 'refresh_ok').length).toBe(1);
  });

  it('refuses to listen anywhere but 127.0.0.1 unless asked', async () => {
    const attempt = startTokenEndpoint({ accessTtlMs: 1000, refreshLatencyMs: 0, onLedger: () => undefined, host: '0.0.0.0' });
    await expect(attempt).rejects.toMatchObject({ code: 'ERR_NON_LOOPBACK_HOST' });

    endpoint = await startTokenEndpoint({ accessTtlMs: 1000, refreshLatencyMs: 0, onLedger: () => undefined, host: '127.0.0.2', allowNonLoopback: true });
    expect(new URL(endpoint.url).hostname).toBe('127.0.0.2');
  });
});
