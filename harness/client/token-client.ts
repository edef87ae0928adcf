import { Agent } from 'undici';
import { LOGIN_PATH, API_PATH, TOKEN_PATH, WORKER_HEADER } from '../endpoint/routes.js';
import type { Credentials } from './credentials-file.js';

/**
 * The session's HTTP side: refresh, login and one API call, over real sockets. Requests go
 * through the global `fetch` with an undici Agent as dispatcher: the Agent owns keep-alive and
 * timeouts, and tests can intercept the global `fetch` with nock.
 */
export type RefreshOutcome =
  | { status: 'ok'; credentials: Credentials }
  | { status: 'invalid_grant' }
  | { status: 'error'; httpStatus: number | null; error: string };

export interface TokenClientOptions {
  baseUrl: string;
  worker: number;
  requestTimeoutMs: number;
  /** Epoch-milliseconds clock the client computes `expiresAt` with. */
  now: () => number;
}

export class TokenClient {
  readonly #options: TokenClientOptions;
  readonly #agent: Agent;

  constructor(options: TokenClientOptions) {
    this.#options = options;
    this.#agent = new Agent({
      headersTimeout: options.requestTimeoutMs,
      bodyTimeout: options.requestTimeoutMs,
      connectTimeout: options.requestTimeoutMs,
    });
  }

  async refresh(refreshToken: string): Promise<RefreshOutcome> {
    return this.#grant(TOKEN_PATH, { grant_type: 'refresh_token', refresh_token: refreshToken });
  }

  async login(): Promise<RefreshOutcome> {
    return this.#grant(LOGIN_PATH, {});
  }

  /**
   * One protected call. A call that gets no usable answer is an outcome, not a crash: on a
   * starved machine an API call can time out, and a real client would report it and go on.
   */
  async callApi(accessToken: string): Promise<ApiOutcome> {
    try {
      const response = await this.#post(API_PATH, { model: 'tokenrace' }, accessToken);
      await response.arrayBuffer();
      if (response.status === 200) return { status: 'ok' };
      if (response.status === 401) return { status: 'unauthorized' };
      return { status: 'error', httpStatus: response.status, error: `unexpected status ${response.status}` };
    } catch (error) {
      return { status: 'error', httpStatus: null, error: describeFetchError(error) };
    }
  }

  async close(): Promise<void> {
    await this.#agent.close();
  }

  async #grant(route: string, body: Record<string, string>): Promise<RefreshOutcome> {
    let response: Response;
    try {
      response = await this.#post(route, body);
    } catch (error) {
      return { status: 'error', httpStatus: null, error: describeFetchError(error) };
    }

    const payload = (await response.json().catch(() => null)) as Record<string, unknown> | null;
    if (response.status === 200 && isTokenPayload(payload)) {
      const credentials = {
        accessToken: payload.access_token,
        refreshToken: payload.refresh_token,
        expiresAt: this.#options.now() + payload.expires_in * 1000,
      };
      return { status: 'ok', credentials };
    }
    if (response.status === 400 && payload?.error === 'invalid_grant') {
      return { status: 'invalid_grant' };
    }
    const error = typeof payload?.error === 'string' ? payload.error : 'unexpected response';
    return { status: 'error', httpStatus: response.status, error };
  }

  #post(route: string, body: unknown, bearer?: string): Promise<Response> {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      [WORKER_HEADER]: String(this.#options.worker),
    };
    if (bearer) headers.authorization = `Bearer ${bearer}`;

    return fetch(this.#options.baseUrl + route, {
      method: 'POST',
      headers,
      body: JSON.stringify(body),
      // The Agent's timeouts alone let a slow answer through (undici checks them on a coarse
      // timer); an abort signal ends the request when the client's timeout says so.
      signal: AbortSignal.timeout(this.#options.requestTimeoutMs),
      // Node's fetch accepts an undici dispatcher; the DOM typings do not know the field.
      dispatcher: this.#agent,
    } as RequestInit);
  }
}

export type ApiOutcome =
  | { status: 'ok' }
  | { status: 'unauthorized' }
  | { status: 'error'; httpStatus: number | null; error: string };

interface TokenPayload {
  access_token: string;
  refresh_token: string;
  expires_in: number;
}

function isTokenPayload(payload: Record<string, unknown> | null): payload is TokenPayload & Record<string, unknown> {
  return (
    typeof payload?.access_token === 'string' &&
    typeof payload.refresh_token === 'string' &&
    typeof payload.expires_in === 'number'
  );
}

function describeFetchError(error: unknown): string {
  const cause = (error as { cause?: { code?: string } }).cause;
  return cause?.code ?? (error as Error).message ?? String(error);
}
