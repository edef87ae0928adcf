import type { ServerSettings } from './server-settings.js';

/**
 * At most `requests` token requests admitted in any sliding `window`, across every client:
 * they all reach the endpoint from 127.0.0.1, so a per-client limit could not tell them apart.
 * Refused requests do not count against the window, as with most API gateways.
 *
 * The limit sits in front of the rotation policy instead of being one of its kinds: a 429 is
 * decided before the token is looked at, so it composes with strict, grace or revocation alike.
 */
export type Admission = { status: 'admitted' } | { status: 'limited'; retryAfterMs: number };

export class RateLimiter {
  readonly #limit: ServerSettings['rateLimit'];
  readonly #now: () => number;
  /** Times of the admitted requests still inside the window, oldest first. */
  #admitted: number[] = [];

  constructor(limit: ServerSettings['rateLimit'], now: () => number = Date.now) {
    this.#limit = limit;
    this.#now = now;
  }

  admit(): Admission {
    if (!this.#limit) return { status: 'admitted' };

    const now = this.#now();
    const { requests, window } = this.#limit;
    while (this.#admitted.length > 0 && this.#admitted[0]! <= now - window) this.#admitted.shift();
    if (this.#admitted.length < requests) {
      this.#admitted.push(now);
      return { status: 'admitted' };
    }
    // The earliest moment a slot frees up: when the oldest admitted request leaves the window.
    return { status: 'limited', retryAfterMs: Math.max(1, this.#admitted[0]! + window - now) };
  }
}
