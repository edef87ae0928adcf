import type { ServerResponse } from 'node:http';
import { fingerprint } from '../fingerprint.js';
import type { LedgerEvent, LedgerOutcome } from '../journal/events.js';
import type { IssuedPair } from './token-registry.js';

/**
 * What the endpoint's routes share: the ledger entry they record, the refusal they throw for a
 * malformed request, and how they write a JSON answer.
 */
export type LedgerEntry = Omit<LedgerEvent, 't' | 'layout' | 'type' | 'seq'>;

/** A ledger entry before the route and worker, which the router knows, are added. */
export type RouteEntry = Omit<LedgerEntry, 'route' | 'worker'>;

export class HttpRefusal extends Error {
  constructor(
    readonly status: number,
    readonly outcome: LedgerOutcome,
    readonly oauthError: string,
  ) {
    super(oauthError);
  }
}

export function respond(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (response.headersSent || response.destroyed) {
    response.destroy();
    return;
  }
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(text)),
    'cache-control': 'no-store',
    ...headers,
  });
  response.end(text);
}

/** Drops the connection without an HTTP answer; a TCP RST where Node can send one. */
export function resetConnection(response: ServerResponse): void {
  const socket = response.socket;
  if (!socket) return;
  if (typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
  else socket.destroy();
}

export function tokenResponse(pair: IssuedPair): Record<string, unknown> {
  return {
    access_token: pair.accessToken,
    refresh_token: pair.refreshToken,
    // RFC 6749 §5.1 counts in seconds; compressed runs need fractions of one.
    expires_in: pair.expiresInMs / 1000,
    token_type: 'Bearer',
    // Claude Code saves refreshed tokens only when the scope includes user:inference.
    scope: 'user:inference user:profile',
  };
}

export function describeIssued(pair: IssuedPair) {
  return {
    issued: fingerprint(pair.refreshToken),
    family: pair.family,
    generation: pair.generation,
  };
}

export function noTokens() {
  return { presented: null, issued: null, family: null, generation: null };
}
