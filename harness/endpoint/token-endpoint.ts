import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { fingerprint } from '../fingerprint.js';
import type { LedgerEvent, LedgerOutcome } from '../journal/events.js';
import { TokenRegistry, type IssuedPair } from './token-registry.js';

/**
 * The mock OAuth server: a real HTTP server on 127.0.0.1 with the three routes a session needs.
 *
 *   POST /v1/oauth/token   refresh_token grant (RFC 6749 §6), JSON or form body
 *   POST /v1/oauth/login   harness-only: mints a new family, what an interactive /login does
 *   POST /v1/messages      a protected resource that checks the bearer access token
 *
 * Every request, whatever it was, lands in the ledger exactly once. The ledger is the ground
 * truth that the clients' own accounts are checked against.
 */

export const TOKEN_PATH = '/v1/oauth/token';
export const LOGIN_PATH = '/v1/oauth/login';
export const API_PATH = '/v1/messages';
export const WORKER_HEADER = 'x-tokenrace-worker';
/** Bodies larger than this are refused with 413 before they are parsed. */
export const MAX_BODY_BYTES = 64 * 1024;

export type LedgerEntry = Omit<LedgerEvent, 't' | 'layout' | 'type' | 'seq'>;

export interface TokenEndpointOptions {
  accessTtlMs: number;
  /** Time the server takes to answer a refresh, as a real token endpoint does. */
  refreshLatencyMs: number;
  onLedger: (entry: LedgerEntry) => void;
  /** Only loopback is allowed: the harness never listens where other machines could reach it. */
  host?: '127.0.0.1';
  /**
   * Routes tried before the built-in ones (real clients' APIs, see anthropic-routes.ts). Returns
   * true when it answered the request, having recorded it in the ledger itself.
   */
  extraRoutes?: ExtraRoutes;
  /** Who sent a request that carries no worker header (e.g. from the loopback address used). */
  workerOf?: (request: IncomingMessage) => number | null;
}

export type RecordLedger = (entry: Omit<LedgerEntry, 'route' | 'worker'>) => void;

export type ExtraRoutes = (
  request: IncomingMessage,
  response: ServerResponse,
  context: { route: string; registry: TokenRegistry; record: RecordLedger },
) => Promise<boolean>;

export interface RunningEndpoint {
  readonly url: string;
  readonly registry: TokenRegistry;
  /** The request listener, so other servers (HTTPS, see https.ts) can serve the same routes. */
  readonly listener: http.RequestListener;
  close(): Promise<void>;
}

class HttpRefusal extends Error {
  constructor(
    readonly status: number,
    readonly outcome: LedgerOutcome,
    readonly oauthError: string,
  ) {
    super(oauthError);
  }
}

export async function startTokenEndpoint(options: TokenEndpointOptions): Promise<RunningEndpoint> {
  const registry = new TokenRegistry({ accessTtlMs: options.accessTtlMs });
  const listener: http.RequestListener = (request, response) => {
    handle(request, response, registry, options).catch((error: unknown) => {
      // A bug in a handler must not take the endpoint down with it; answer and keep serving.
      respond(response, 500, { error: 'server_error', error_description: String(error) });
    });
  };
  const server = http.createServer(listener);
  server.keepAliveTimeout = 5_000;
  server.on('clientError', (_error, socket) => socket.destroy());

  server.listen(0, options.host ?? '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    registry,
    listener,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function handle(
  request: IncomingMessage,
  response: ServerResponse,
  registry: TokenRegistry,
  options: TokenEndpointOptions,
): Promise<void> {
  const route = (request.url ?? '/').split('?')[0] ?? '/';
  const worker = parseWorker(request.headers[WORKER_HEADER]) ?? options.workerOf?.(request) ?? null;
  const record = (entry: Omit<LedgerEntry, 'route' | 'worker'>) =>
    options.onLedger({ route, worker, ...entry });

  try {
    if (await options.extraRoutes?.(request, response, { route, registry, record })) return;
    if (request.method === 'POST' && route === TOKEN_PATH) {
      const body = await readForm(request);
      await serveRefresh(body, response, registry, options, record);
    } else if (request.method === 'POST' && route === LOGIN_PATH) {
      await readForm(request).catch(() => ({}));
      const pair = registry.login();
      record({ status: 200, outcome: 'login_ok', presented: null, ...describeIssued(pair) });
      respond(response, 200, tokenResponse(pair));
    } else if (request.method === 'POST' && route === API_PATH) {
      request.resume();
      serveApi(request, response, registry, record);
    } else {
      request.resume();
      record({ status: 404, outcome: 'not_found', ...noTokens() });
      respond(response, 404, { error: 'not_found' });
    }
  } catch (error) {
    if (!(error instanceof HttpRefusal)) throw error;
    record({ status: error.status, outcome: error.outcome, ...noTokens(), reason: 'malformed' });
    respond(response, error.status, { error: error.oauthError });
  }
}

async function serveRefresh(
  body: Record<string, unknown>,
  response: ServerResponse,
  registry: TokenRegistry,
  options: TokenEndpointOptions,
  record: (entry: Omit<LedgerEntry, 'route' | 'worker'>) => void,
): Promise<void> {
  const grantType = body.grant_type;
  const refreshToken = body.refresh_token;
  if (grantType === undefined) throw new HttpRefusal(400, 'invalid_request', 'invalid_request');
  if (grantType !== 'refresh_token') {
    throw new HttpRefusal(400, 'unsupported_grant_type', 'unsupported_grant_type');
  }
  if (typeof refreshToken !== 'string' || refreshToken.length === 0) {
    throw new HttpRefusal(400, 'invalid_request', 'invalid_request');
  }

  if (options.refreshLatencyMs > 0) await sleep(options.refreshLatencyMs);

  const presented = fingerprint(refreshToken);
  const result = registry.redeem(refreshToken);
  if (result.status === 'ok') {
    record({ status: 200, outcome: 'refresh_ok', presented, ...describeIssued(result.pair) });
    respond(response, 200, tokenResponse(result.pair));
    return;
  }

  record({
    status: 400,
    outcome: 'invalid_grant',
    presented,
    issued: null,
    family: result.family,
    generation: null,
    reason: result.reason,
  });
  // RFC 6749 §5.2: a spent or unknown refresh token is `invalid_grant` with status 400.
  respond(response, 400, {
    error: 'invalid_grant',
    error_description:
      result.reason === 'reused' ? 'refresh token already used' : 'refresh token not recognised',
  });
}

function serveApi(
  request: IncomingMessage,
  response: ServerResponse,
  registry: TokenRegistry,
  record: (entry: Omit<LedgerEntry, 'route' | 'worker'>) => void,
): void {
  const header = request.headers.authorization ?? '';
  const token = header.startsWith('Bearer ') ? header.slice('Bearer '.length) : '';
  const presented = token ? fingerprint(token) : null;
  const check = token ? registry.checkAccess(token) : null;

  if (check?.status === 'ok') {
    record({ status: 200, outcome: 'api_ok', presented, issued: null, family: check.family, generation: null });
    respond(response, 200, { type: 'message', content: [{ type: 'text', text: 'ok' }] });
    return;
  }

  const reason = check?.status === 'unauthorized' ? check.reason : 'malformed';
  record({ status: 401, outcome: 'api_unauthorized', presented, issued: null, family: null, generation: null, reason });
  respond(response, 401, { type: 'error', error: { type: 'authentication_error' } });
}

/** Reads a JSON or form-encoded body into a flat object; anything else is `invalid_request`. */
export async function readForm(request: IncomingMessage): Promise<Record<string, unknown>> {
  const text = await readBody(request);
  const type = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();

  if (type === 'application/x-www-form-urlencoded') {
    return Object.fromEntries(new URLSearchParams(text));
  }
  if (type === 'application/json' || type === '' || type === undefined) {
    if (text.length === 0) return {};
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new HttpRefusal(400, 'invalid_request', 'invalid_request');
    }
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
      return parsed as Record<string, unknown>;
    }
  }
  throw new HttpRefusal(400, 'invalid_request', 'invalid_request');
}

async function readBody(request: IncomingMessage): Promise<string> {
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > MAX_BODY_BYTES) {
    request.resume();
    throw new HttpRefusal(413, 'payload_too_large', 'payload_too_large');
  }

  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new HttpRefusal(413, 'payload_too_large', 'payload_too_large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function tokenResponse(pair: IssuedPair): Record<string, unknown> {
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

function describeIssued(pair: IssuedPair) {
  return { issued: fingerprint(pair.refreshToken), family: pair.family, generation: pair.generation };
}

function noTokens() {
  return { presented: null, issued: null, family: null, generation: null };
}

function parseWorker(header: string | string[] | undefined): number | null {
  const value = Number(Array.isArray(header) ? header[0] : header);
  return Number.isInteger(value) && value > 0 ? value : null;
}

export function respond(response: ServerResponse, status: number, body: unknown): void {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  response.end(text);
}
