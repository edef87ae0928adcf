import { LOGIN_PATH, TOKEN_PATH, API_PATH, startTokenEndpoint } from '../../harness/endpoint/token-endpoint.js';
import type { LedgerEntry } from '../../harness/endpoint/http-replies.js';
import { serverSettingsSchema, type ServerSettingsInput } from '../../harness/endpoint/server-settings.js';

/** A real endpoint on 127.0.0.1 with the given server settings, and what its ledger recorded. */
export async function startEndpoint(server: ServerSettingsInput = {}, seed = 1) {
  const ledger: LedgerEntry[] = [];
  const endpoint = await startTokenEndpoint({
    accessTtlMs: 60_000,
    refreshLatencyMs: 0,
    server: serverSettingsSchema.parse(server),
    seed,
    onLedger: (entry) => ledger.push(entry),
  });
  return { ...endpoint, ledger, ...clientFor(endpoint.url) };
}

export interface TokenAnswer {
  status: number;
  body: Record<string, any>;
  headers: Headers;
}

function clientFor(url: string) {
  const post = async (path: string, body: unknown, init: RequestInit = {}): Promise<TokenAnswer> => {
    const response = await fetch(url + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-tokenrace-worker': '1', ...init.headers },
      body: JSON.stringify(body),
      signal: init.signal,
    });
    return { status: response.status, body: await response.json(), headers: response.headers };
  };
  return {
    login: () => post(LOGIN_PATH, {}),
    refresh: (refreshToken: string, init?: RequestInit) =>
      post(TOKEN_PATH, { grant_type: 'refresh_token', refresh_token: refreshToken }, init),
    callApi: (accessToken: string) =>
      post(API_PATH, {}, { headers: { authorization: `Bearer ${accessToken}` } }),
  };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
