import http, { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { fingerprint } from '../fingerprint.js';
import { resolveBindHost } from './bind-address.js';
import { readLimitedBody } from './body-reader.js';
import { FaultPlan } from './fault-plan.js';
import {
  HttpRefusal,
  describeIssued,
  noTokens,
  respond,
  tokenResponse,
  type LedgerEntry,
  type RouteEntry,
} from './http-replies.js';
import { RateLimiter } from './rate-limiter.js';
import { serveRefresh, type RefreshContext } from './refresh-route.js';
import { DEFAULT_SERVER_SETTINGS, type ServerSettings } from './server-settings.js';
import { TokenRegistry } from './token-registry.js';
import { API_PATH, LOGIN_PATH, TOKEN_PATH, WORKER_HEADER } from './routes.js';

/**
 * The mock OAuth server: a real HTTP server on 127.0.0.1 with the three routes a session needs.
 *
 *   POST /v1/oauth/token   refresh_token grant (RFC 6749 §6), JSON or form body; the rotation
 *                          policy, rate limit and faults of `server` apply here only
 *   POST /v1/oauth/login   harness-only: mints a new family, what an interactive /login does
 *   POST /v1/messages      a protected resource that checks the bearer access token
 *
 * Every request, whatever it was, lands in the ledger exactly once. The ledger is the ground
 * truth that the clients' own accounts are checked against.
 */

export { API_PATH, LOGIN_PATH, TOKEN_PATH, WORKER_HEADER } from './routes.js';
/** Bodies larger than this are refused with 413 before they are parsed, and never buffered. */
export const MAX_BODY_BYTES = 64 * 1024;
/** A sender gets this long for its request line and headers (slowloris), then a 408. */
export const HEADERS_TIMEOUT_MS = 10_000;
/** ...and this long for the whole request, body included, then a 408. */
export const SERVER_REQUEST_TIMEOUT_MS = 30_000;

export type { LedgerEntry } from './http-replies.js';

export interface TokenEndpointOptions {
  accessTtlMs: number;
  /** Time the server takes to answer a refresh, as a real token endpoint does. */
  refreshLatencyMs: number;
  onLedger: (entry: LedgerEntry) => void;
  /** Rotation policy, rate limit and faults; the strict server when absent. */
  server?: ServerSettings;
  /** Seeds the fault draws, so a seed replays the same faults. */
  seed?: number;
  /** Only loopback unless `allowNonLoopback`: see bind-address.ts. */
  host?: string;
  allowNonLoopback?: boolean;
  /** Server-side limits for slow senders; defaults above. Tests shorten them. */
  headersTimeoutMs?: number;
  serverRequestTimeoutMs?: number;
  /**
   * Routes tried before the built-in ones (real clients' APIs, see anthropic-routes.ts). Returns
   * true when it answered the request, having recorded it in the ledger itself.
   */
  extraRoutes?: ExtraRoutes;
  /** Who sent a request that carries no worker header (e.g. from the loopback address used). */
  workerOf?: (request: IncomingMessage) => number | null;
}

export type RecordLedger = (entry: RouteEntry) => void;

export type ExtraRoutes = (
  request: IncomingMessage,
  response: ServerResponse,
  context: { route: string; registry: TokenRegistry; record: RecordLedger },
) => Promise<boolean>;

export interface RunningEndpoint {
  readonly url: string;
  readonly registry: TokenRegistry;
  /** The request listener, so other servers (HTTPS, see https-front.ts) serve the same routes. */
  readonly listener: http.RequestListener;
  close(): Promise<void>;
}

export async function startTokenEndpoint(options: TokenEndpointOptions): Promise<RunningEndpoint> {
  const settings = options.server ?? DEFAULT_SERVER_SETTINGS;
  const registry = new TokenRegistry({ accessTtlMs: options.accessTtlMs, policy: settings });
  const closing = new AbortController();
  const context: Omit<RefreshContext, 'record'> = {
    registry,
    limiter: new RateLimiter(settings.rateLimit),
    faults: new FaultPlan(settings.faults, options.seed ?? 0),
    settings,
    refreshLatencyMs: options.refreshLatencyMs,
    closing: closing.signal,
  };
  const host = resolveBindHost(options);
  const headersTimeout = options.headersTimeoutMs ?? HEADERS_TIMEOUT_MS;
  const requestTimeout = Math.max(headersTimeout, options.serverRequestTimeoutMs ?? SERVER_REQUEST_TIMEOUT_MS);
  const listener: http.RequestListener = (request, response) => {
    handle(request, response, context, options).catch(() => {
      // A bug in a handler must not take the endpoint down with it; answer and keep serving.
      options.onLedger({ route: routeOf(request), worker: null, status: 500, outcome: 'server_error', ...noTokens() });
      respond(response, 500, { error: 'server_error' });
    });
  };
  // Node checks these timeouts on a timer; its 30 s default would let a slow sender linger.
  const server = http.createServer(
    { headersTimeout, requestTimeout, connectionsCheckingInterval: Math.min(1_000, headersTimeout) },
    listener,
  );
  server.keepAliveTimeout = 5_000;
  server.on('clientError', (error, socket) => refuseUnparsable(error, socket, options));

  server.listen(0, host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    registry,
    listener,
    close: () =>
      new Promise<void>((resolve) => {
        // Held responses end now and are recorded as dropped, before the server is gone.
        closing.abort();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function handle(
  request: IncomingMessage,
  response: ServerResponse,
  shared: Omit<RefreshContext, 'record'>,
  options: Pick<TokenEndpointOptions, 'onLedger' | 'extraRoutes' | 'workerOf'>,
): Promise<void> {
  const { registry } = shared;
  inHandler.add(request.socket);
  response.once('close', () => inHandler.delete(request.socket));
  const route = routeOf(request);
  const worker = parseWorker(request.headers[WORKER_HEADER]) ?? options.workerOf?.(request) ?? null;
  const record = (entry: RouteEntry) => options.onLedger({ route, worker, ...entry });

  try {
    if (await options.extraRoutes?.(request, response, { route, registry, record })) return;
    if (request.method === 'POST' && route === TOKEN_PATH) {
      const body = await readForm(request);
      await serveRefresh(body, response, { ...shared, record });
    } else if (request.method === 'POST' && route === LOGIN_PATH) {
      await readForm(request).catch(rethrowUnlessMalformed);
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
    if (error instanceof SenderGone) {
      // Node may have answered 408 itself (a slow body); else nobody is left to answer, and
      // 499 (client closed request) keeps the ledger exact.
      const timedOut = answeredByParser.get(request.socket);
      if (timedOut) record({ status: timedOut, outcome: 'bad_http', ...noTokens() });
      else record({ status: 499, outcome: 'aborted', ...noTokens() });
      return;
    }
    if (!(error instanceof HttpRefusal)) throw error;
    record({ status: error.status, outcome: error.outcome, ...noTokens(), reason: 'malformed' });
    // After a refused oversized body the connection cannot be reused: the rest is unread.
    const close: Record<string, string> = error.status === 413 ? { connection: 'close' } : {};
    respond(response, error.status, { error: error.oauthError }, close);
  }
}

function serveApi(
  request: IncomingMessage,
  response: ServerResponse,
  registry: TokenRegistry,
  record: (entry: RouteEntry) => void,
): void {
  const header = request.headers.authorization ?? '';
  const token = header.startsWith('Bearer ') ? header.slice('Bearer '.length) : '';
  const presented = token ? fingerprint(token) : null;
  const check = token ? registry.checkAccess(token) : null;

  if (check?.status === 'ok') {
    const { family } = check;
    record({ status: 200, outcome: 'api_ok', presented, issued: null, family, generation: null });
    respond(response, 200, { type: 'message', content: [{ type: 'text', text: 'ok' }] });
    return;
  }

  const refusal = check?.status === 'unauthorized' ? check : null;
  const reason = refusal?.reason ?? 'malformed';
  const family = refusal?.family ?? null;
  const tokens = { presented, issued: null, family, generation: null };
  record({ status: 401, outcome: 'api_unauthorized', ...tokens, reason });
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
  const body = await readLimitedBody(request, MAX_BODY_BYTES);
  if (body.status === 'too_large') throw new HttpRefusal(413, 'payload_too_large', 'payload_too_large');
  if (body.status === 'aborted') throw new SenderGone();
  return body.text;
}

/** The sender closed the connection before its request was complete. */
class SenderGone extends Error {}

/** The login route ignores what it is sent, but an oversized or cut-off body still counts. */
function rethrowUnlessMalformed(error: unknown): Record<string, unknown> {
  if (error instanceof HttpRefusal && error.status === 400) return {};
  throw error;
}

/**
 * Bytes Node's HTTP parser could not make into a request. Answered as Node itself would (400,
 * 408 for a header timeout, 431 for oversized headers), and written to the ledger so that every
 * request the endpoint saw is in it. A reset connection sent nothing to answer.
 */
function refuseUnparsable(error: Error & { code?: string }, socket: Duplex, options: TokenEndpointOptions): void {
  // The sender reset or closed mid-request: there is no one to answer. If a handler was reading
  // the body it records the request as aborted.
  if (error.code === 'ECONNRESET' || error.code === 'HPE_INVALID_EOF_STATE' || !socket.writable) {
    socket.destroy();
    return;
  }
  const status =
    error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : error.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
  // A request whose handler is reading its body gets recorded by that handler, once.
  if (inHandler.has(socket)) answeredByParser.set(socket, status);
  else options.onLedger({ route: '', worker: null, status, outcome: 'bad_http', ...noTokens() });
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
  // The parser is done with this socket; without this a half-open one lingers until close().
  setTimeout(() => socket.destroy(), LINGER_AFTER_REFUSAL_MS).unref();
}

/** Time for a refusal to reach the sender before its socket is torn down. */
const LINGER_AFTER_REFUSAL_MS = 250;

/** Sockets whose current request is in a handler, and the status Node's parser answered them with. */
const inHandler = new WeakSet<object>();
const answeredByParser = new WeakMap<object, number>();

function routeOf(request: IncomingMessage): string {
  return (request.url ?? '/').split('?')[0] ?? '/';
}

function parseWorker(header: string | string[] | undefined): number | null {
  const value = Number(Array.isArray(header) ? header[0] : header);
  return Number.isInteger(value) && value > 0 ? value : null;
}

