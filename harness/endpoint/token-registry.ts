import { randomBytes } from 'node:crypto';
import { DEFAULT_SERVER_SETTINGS, type ServerSettings } from './server-settings.js';

/**
 * The endpoint's memory of every token it issued, grouped into families: a family is one login
 * and the chain of refresh tokens rotated from it. This is the rotation policy's state machine,
 * one per family:
 *
 *   refresh token:  live ──redeem──▶ spent ──(grace over or used up)──▶ refused
 *   family:         active ──replay of a spent token (family-revocation)──▶ revoked
 *
 * - `strict` (RFC 6749 §6 with rotation): a spent or unknown token is refused and nothing else
 *   changes; the live token stays valid.
 * - `family-revocation` (RFC 9700 §4.14.2): a spent token presented again means it may have
 *   leaked, so the whole grant is revoked: the live refresh token and every access token.
 * - grace: a spent token whose successor is still live is "the immediately previous token"; for
 *   `window` ms after it was spent it is answered with its successor (the same refresh token the
 *   first redeemer got) and a fresh access token, so two racing clients end on one chain. This
 *   is how Okta's grace period behaves; Auth0's overlap mints a new refresh token instead, which
 *   this model does not do. `maxReuse` caps replays per token (Keycloak refreshTokenMaxReuse).
 *   TODO(model): Auth0-style overlap (a new refresh token per replay) is not modelled.
 * - revokeAccessOnRefresh: issuing a pair revokes the family's older access tokens.
 *
 * Redeeming is split into `check` (pure) and `commit` (acts) so the endpoint can model a
 * non-atomic server: check, wait, commit without checking again. `redeem` does both at once,
 * synchronously, so under atomic rotation two requests can never both win.
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

interface Family {
  id: number;
  revoked: boolean;
  /** Access tokens not yet revoked, so a refresh can revoke them without scanning them all. */
  liveAccess: AccessRecord[];
}

interface RefreshRecord {
  token: string;
  family: Family;
  generation: number;
  spentAtMs: number | null;
  /** The pair the first redeem produced: what a grace replay hands out again. */
  successor: RefreshRecord | null;
  graceReplays: number;
}

interface AccessRecord {
  family: Family;
  expiresAtMs: number;
  revoked: boolean;
}

/** Why a refresh token was refused. `revoked`: its family was revoked earlier. */
export type RefusalReason = 'reused' | 'unknown' | 'revoked';

/** What `check` decided, before anything changed. */
export type RedeemCheck =
  | { action: 'rotate'; record: RefreshRecord }
  | { action: 'grace'; record: RefreshRecord }
  | { action: 'refuse'; reason: RefusalReason; record: RefreshRecord | null };

export type RedeemResult =
  | {
      status: 'ok';
      pair: IssuedPair;
      presentedGeneration: number;
      /** `grace_replay`: a spent token honoured; `forked`: a spent token rotated again. */
      reason?: 'grace_replay' | 'forked';
    }
  | {
      status: 'invalid_grant';
      reason: RefusalReason;
      family: number | null;
      /** This very request revoked the family (RFC 9700 reuse detection). */
      revokedFamily: boolean;
    };

export type AccessCheck =
  | { status: 'ok'; family: number }
  | { status: 'unauthorized'; reason: 'unknown' | 'expired' | 'revoked'; family: number | null };

export type RegistryPolicy = Pick<ServerSettings, 'reuse' | 'grace' | 'revokeAccessOnRefresh'>;

export class TokenRegistry {
  readonly #refresh = new Map<string, RefreshRecord>();
  readonly #access = new Map<string, AccessRecord>();
  readonly #accessTtlMs: number;
  readonly #now: () => number;
  readonly #policy: RegistryPolicy;
  #families = 0;

  constructor(options: { accessTtlMs: number; now?: () => number; policy?: RegistryPolicy }) {
    this.#accessTtlMs = options.accessTtlMs;
    this.#now = options.now ?? Date.now;
    this.#policy = options.policy ?? DEFAULT_SERVER_SETTINGS;
  }

  /** A fresh family, as a person's interactive login would create. */
  login(): IssuedPair {
    this.#families += 1;
    const family: Family = { id: this.#families, revoked: false, liveAccess: [] };
    const record = this.#issueRefresh(family, 0);
    return this.#pair(record, this.#issueAccess(family));
  }

  /** Spend a refresh token and rotate it, atomically. */
  redeem(refreshToken: string): RedeemResult {
    return this.commit(this.check(refreshToken));
  }

  /** Decides what a redeem of this token would do, without changing anything. */
  check(refreshToken: string): RedeemCheck {
    const record = this.#refresh.get(refreshToken);
    if (!record) return { action: 'refuse', reason: 'unknown', record: null };
    if (record.family.revoked) return { action: 'refuse', reason: 'revoked', record };
    if (record.spentAtMs === null) return { action: 'rotate', record };
    if (this.#inGrace(record)) return { action: 'grace', record };
    return { action: 'refuse', reason: 'reused', record };
  }

  /**
   * Carries out a decision. A `rotate` is not checked again: under non-atomic rotation a token
   * spent since its check is rotated a second time, and the family forks.
   */
  commit(decision: RedeemCheck): RedeemResult {
    if (decision.action === 'refuse') return this.#refuse(decision.reason, decision.record);

    const { record } = decision;
    if (decision.action === 'grace') {
      record.graceReplays += 1;
      const pair = this.#pair(record.successor!, this.#issueAccess(record.family));
      return { status: 'ok', pair, presentedGeneration: record.generation, reason: 'grace_replay' };
    }

    const forked = record.spentAtMs !== null;
    const next = this.#issueRefresh(record.family, record.generation + 1);
    const pair = this.#pair(next, this.#issueAccess(record.family));
    if (!forked) {
      record.spentAtMs = this.#now();
      record.successor = next;
    }
    const result = { status: 'ok' as const, pair, presentedGeneration: record.generation };
    return forked ? { ...result, reason: 'forked' } : result;
  }

  checkAccess(accessToken: string): AccessCheck {
    const record = this.#access.get(accessToken);
    if (!record) return { status: 'unauthorized', reason: 'unknown', family: null };
    const family = record.family.id;
    if (record.revoked || record.family.revoked) {
      return { status: 'unauthorized', reason: 'revoked', family };
    }
    if (this.#now() >= record.expiresAtMs) {
      return { status: 'unauthorized', reason: 'expired', family };
    }
    return { status: 'ok', family };
  }

  get familyCount(): number {
    return this.#families;
  }

  #inGrace(record: RefreshRecord): boolean {
    const { window, maxReuse } = this.#policy.grace;
    if (window <= 0 || record.successor === null) return false;
    // Only the immediately previous token: once its successor is spent too, it is just old.
    if (record.successor.spentAtMs !== null) return false;
    if (this.#now() - record.spentAtMs! > window) return false;
    return maxReuse === null || record.graceReplays < maxReuse;
  }

  #refuse(reason: RefusalReason, record: RefreshRecord | null): RedeemResult {
    const family = record?.family ?? null;
    const revokes = reason === 'reused' && this.#policy.reuse === 'family-revocation';
    if (revokes && family) {
      family.revoked = true;
      for (const access of family.liveAccess) access.revoked = true;
      family.liveAccess = [];
    }
    return { status: 'invalid_grant', reason, family: family?.id ?? null, revokedFamily: revokes };
  }

  #issueRefresh(family: Family, generation: number): RefreshRecord {
    const token = REFRESH_TOKEN_PREFIX + randomBytes(18).toString('base64url');
    const record = { token, family, generation, spentAtMs: null, successor: null, graceReplays: 0 };
    this.#refresh.set(token, record);
    return record;
  }

  #issueAccess(family: Family): string {
    if (this.#policy.revokeAccessOnRefresh) {
      for (const older of family.liveAccess) older.revoked = true;
      family.liveAccess = [];
    }
    const token = ACCESS_TOKEN_PREFIX + randomBytes(18).toString('base64url');
    const record = { family, expiresAtMs: this.#now() + this.#accessTtlMs, revoked: false };
    this.#access.set(token, record);
    family.liveAccess.push(record);
    return token;
  }

  #pair(record: RefreshRecord, accessToken: string): IssuedPair {
    return {
      accessToken,
      refreshToken: record.token,
      expiresInMs: this.#accessTtlMs,
      family: record.family.id,
      generation: record.generation,
    };
  }
}
