import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTokenEndpoint, type LedgerEntry, type RunningEndpoint } from '../../harness/endpoint/token-endpoint.js';
import { ACCESS_TOKEN_PREFIX, REFRESH_TOKEN_PREFIX } from '../../harness/endpoint/token-registry.js';
import { fingerprint } from '../../harness/fingerprint.js';

let endpoint: RunningEndpoint;
let ledger: LedgerEntry[];

beforeEach(async () => {
  ledger = [];
  endpoint = await startTokenEndpoint({ accessTtlMs: 60_000, refreshLatencyMs: 0, onLedger: (entry) => ledger.push(entry) });
});
afterEach(async () => endpoint.close());

async function post(route: string, body: string, headers: Record<string, string> = {}) {
  const response = await fetch(endpoint.url + route, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-tokenrace-worker': '3', ...headers },
    body,
  });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

const login = async () => (await post('/v1/oauth/login', '{}')).body;
const refresh = (token: string) => post('/v1/oauth/token', JSON.stringify({ grant_type: 'refresh_token', refresh_token: token }));

describe('token endpoint', () => {
  it('rotates a live refresh token into a new pair (RFC 6749 §5.1 shape)', async () => {
    const first = await login();
    const { status, body } = await refresh(first.refresh_token);

    expect(status).toBe(200);
    expect(body.token_type).toBe('Bearer');
    expect(body.expires_in).toBe(60);
    expect(body.scope).toContain('user:inference');
    expect(body.refresh_token).not.toBe(first.refresh_token);
    expect(body.access_token.startsWith(ACCESS_TOKEN_PREFIX)).toBe(true);
    expect(body.refresh_token.startsWith(REFRESH_TOKEN_PREFIX)).toBe(true);
  });

  it('refuses a refresh token the second time with invalid_grant, and keeps the live one valid', async () => {
    const first = await login();
    const rotated = (await refresh(first.refresh_token)).body;

    const reuse = await refresh(first.refresh_token);
    expect(reuse.status).toBe(400);
    expect(reuse.body.error).toBe('invalid_grant');
    expect((await refresh(rotated.refresh_token)).status).toBe(200);
  });

  it('lets exactly one of many concurrent refreshes of the same token win', async () => {
    const first = await login();
    const results = await Promise.all(Array.from({ length: 12 }, () => refresh(first.refresh_token)));

    expect(results.filter((result) => result.status === 200)).toHaveLength(1);
    expect(results.filter((result) => result.body.error === 'invalid_grant')).toHaveLength(11);
  });

  it('answers an unknown refresh token with invalid_grant', async () => {
    const { status, body } = await refresh('never-issued');
    expect(status).toBe(400);
    expect(body.error).toBe('invalid_grant');
    expect(ledger.at(-1)?.reason).toBe('unknown');
  });

  it('accepts a form-encoded body as RFC 6749 specifies', async () => {
    const first = await login();
    const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: first.refresh_token });
    const { status } = await post('/v1/oauth/token', form.toString(), { 'content-type': 'application/x-www-form-urlencoded' });
    expect(status).toBe(200);
  });

  it.each([
    ['malformed JSON', '{"grant_type":', 'invalid_request'],
    ['a JSON array', '[]', 'invalid_request'],
    ['no grant_type', '{"refresh_token":"x"}', 'invalid_request'],
    ['no refresh_token', '{"grant_type":"refresh_token"}', 'invalid_request'],
    ['another grant type', '{"grant_type":"password"}', 'unsupported_grant_type'],
  ])('answers %s with 400 %s', async (_label, body, error) => {
    const response = await post('/v1/oauth/token', body);
    expect(response.status).toBe(400);
    expect(response.body.error).toBe(error);
    expect(ledger.at(-1)?.outcome).toBe(error);
  });

  it('refuses a body over the size limit with 413', async () => {
    const response = await post('/v1/oauth/token', JSON.stringify({ pad: 'x'.repeat(70_000) }));
    expect(response.status).toBe(413);
  });

  it('serves the API only to a current access token', async () => {
    const pair = await login();
    const call = (token: string) => post('/v1/messages', '{}', { authorization: `Bearer ${token}` });

    expect((await call(pair.access_token)).status).toBe(200);
    expect((await call('forged')).status).toBe(401);
    expect((await post('/v1/messages', '{}')).status).toBe(401);
  });

  it('refuses an access token once it has expired', async () => {
    const shortLived = await startTokenEndpoint({ accessTtlMs: 30, refreshLatencyMs: 0, onLedger: () => undefined });
    try {
      const pair = (await (await fetch(shortLived.url + '/v1/oauth/login', { method: 'POST' })).json()) as any;
      await new Promise((resolve) => setTimeout(resolve, 60));
      const response = await fetch(shortLived.url + '/v1/messages', { method: 'POST', headers: { authorization: `Bearer ${pair.access_token}` } });
      expect(response.status).toBe(401);
    } finally {
      await shortLived.close();
    }
  });

  it('records every request in the ledger with the worker id and token fingerprints, never the tokens', async () => {
    const first = await login();
    const rotated = (await refresh(first.refresh_token)).body;
    await refresh(first.refresh_token);

    expect(ledger.map((entry) => entry.outcome)).toEqual(['login_ok', 'refresh_ok', 'invalid_grant']);
    expect(ledger.every((entry) => entry.worker === 3)).toBe(true);
    expect(ledger[1]).toMatchObject({ presented: fingerprint(first.refresh_token), issued: fingerprint(rotated.refresh_token), generation: 1 });
    expect(JSON.stringify(ledger)).not.toContain(REFRESH_TOKEN_PREFIX);
  });

  it('answers unknown routes 404 and records them', async () => {
    const response = await post('/v1/unknown', '{}');
    expect(response.status).toBe(404);
    expect(ledger.at(-1)).toMatchObject({ route: '/v1/unknown', outcome: 'not_found' });
  });
});
