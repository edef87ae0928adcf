import { randomBytes } from 'node:crypto';

/**
 * The endpoint's memory of every token it issued, grouped into families: a family is one login
 * and the chain of refresh tokens rotated from it. This is the rotation policy's state machine:
 *
 *   refresh token:  live ──redeem──▶ spent      (a second redeem is a reuse: invalid_grant)
 *
 * Policy `strict` (RFC 6749 §6 with rotation, RFC 9700 §4.14.2 without reuse detection): a spent
 * or unknown refresh token is refused and nothing else changes; the live token stays valid.
 */

/** Obviously fake, so nobody mistakes a journal or a test fixture for a real credential. */
export const ACCESS_TOKEN_PREFIX = 'tokenrace-fake-at-';
export const REFRESH_TOKEN_PREFIX = 'tokenrace-fake-rt-';

export interface IssuedPair {
  accessToken: string;
  refreshToken: string;
  expiresInMs: number;
  family: number;
  generation: number;
}

interface RefreshRecord {
  family: number;
  generation: number;
  spent: boolean;
}

interface AccessRecord {
  family: number;
  expiresAtMs: number;
}

export type RedeemResult =
  | { status: 'ok'; pair: IssuedPair; presentedGeneration: number }
  | { status: 'invalid_grant'; reason: 'reused' | 'unknown'; family: number | null };

export type AccessCheck =
  | { status: 'ok'; family: number }
  | { status: 'unauthorized'; reason: 'unknown' | 'expired' };

export class TokenRegistry {
  readonly #refresh = new Map<string, RefreshRecord>();
  readonly #access = new Map<string, AccessRecord>();
  readonly #accessTtlMs: number;
  readonly #now: () => number;
  #families = 0;

  constructor(options: { accessTtlMs: number; now?: () => number }) {
    this.#accessTtlMs = options.accessTtlMs;
    this.#now = options.now ?? Date.now;
  }

  /** A fresh family, as a person's interactive login would create. */
  login(): IssuedPair {
    this.#families += 1;
    return this.#issue(this.#families, 0);
  }

  /** Spend a refresh token and rotate it. Synchronous, so two requests can never both win. */
  redeem(refreshToken: string): RedeemResult {
    const record = this.#refresh.get(refreshToken);
    if (!record) return { status: 'invalid_grant', reason: 'unknown', family: null };
    if (record.spent) return { status: 'invalid_grant', reason: 'reused', family: record.family };

    record.spent = true;
    const pair = this.#issue(record.family, record.generation + 1);
    return { status: 'ok', pair, presentedGeneration: record.generation };
  }

  checkAccess(accessToken: string): AccessCheck {
    const record = this.#access.get(accessToken);
    if (!record) return { status: 'unauthorized', reason: 'unknown' };
    if (this.#now() >= record.expiresAtMs) return { status: 'unauthorized', reason: 'expired' };
    return { status: 'ok', family: record.family };
  }

  get familyCount(): number {
    return this.#families;
  }

  #issue(family: number, generation: number): IssuedPair {
    const accessToken = ACCESS_TOKEN_PREFIX + randomBytes(18).toString('base64url');
    const refreshToken = REFRESH_TOKEN_PREFIX + randomBytes(18).toString('base64url');
    this.#refresh.set(refreshToken, { family, generation, spent: false });
    this.#access.set(accessToken, { family, expiresAtMs: this.#now() + this.#accessTtlMs });
    return { accessToken, refreshToken, expiresInMs: this.#accessTtlMs, family, generation };
  }
}
