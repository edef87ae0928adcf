import { isIP } from 'node:net';
import { TokenraceError } from '../errors.js';

/**
 * The one address the harness listens on. The mock endpoint accepts any refresh token it issued
 * and mints new ones on request, so it must never be reachable from another machine: anything
 * but 127.0.0.1 is refused unless the caller says, in so many words, that it wants that.
 */
export const LOOPBACK_HOST = '127.0.0.1';

export interface BindRequest {
  host?: string;
  /** Listening beyond loopback exposes the mock endpoint to the network; off unless asked. */
  allowNonLoopback?: boolean;
}

/** The host to listen on, or ERR_NON_LOOPBACK_HOST when it is not loopback and not allowed. */
export function resolveBindHost(request: BindRequest): string {
  const host = request.host ?? LOOPBACK_HOST;
  if (host === LOOPBACK_HOST || request.allowNonLoopback === true) return host;

  const kind = isIP(host) === 0 ? 'a host name' : 'a non-loopback address';
  throw new TokenraceError(
    'ERR_NON_LOOPBACK_HOST',
    `host: got ${JSON.stringify(host)} (${kind}), expected ${LOOPBACK_HOST} ` +
      '(pass allowNonLoopback to listen elsewhere)',
  );
}
