import type { LedgerOutcome } from '../journal/events.js';
import type { ServerSettings } from '../endpoint/server-settings.js';
import type { Expected, Rule } from './hostile-requests.js';
import { fillPlaceholders, type Answer, type Tokens } from './hostile-sender.js';

/**
 * The fuzzer's own model of a token server under one policy: which refresh and access tokens
 * it has issued, which are spent or revoked, and how many grant requests the rate limit has
 * admitted. It is written from the policies as documented (server-settings.ts, RFC 6749 §6,
 * RFC 9700 §4.14.2, the README), not from the registry's code, so that the two can disagree.
 *
 * It predicts the answer to a request from what the request presents, and learns the values of
 * newly issued tokens from the answer. A prediction with `changes: true` moves the server's
 * state, so the fuzzer sends that request alone; every other request may share a burst, since
 * its answer is the same in any order.
 *
 * The bench's grace window and rate-limit window are far longer than any run, so no answer
 * depends on the clock; windows that expire are left to the property tests.
 */
export interface Prediction {
  expected: Expected;
  /** What the ledger must record for it, where the rule can say. */
  outcome?: LedgerOutcome;
  /** Whether answering it changes what the server holds. */
  changes: boolean;
  /** Carries the change into the model once the answer is in. */
  apply?: (answer: Answer) => string | null;
}

interface FamilyModel {
  revoked: boolean;
  access: AccessModel[];
}

interface RefreshModel {
  family: FamilyModel;
  spent: boolean;
  successor: RefreshModel | null;
  graceReplays: number;
}

interface AccessModel {
  family: FamilyModel;
  revoked: boolean;
}

type Issued = NonNullable<Answer['issued']>;

type Policy = Pick<ServerSettings, 'reuse' | 'grace' | 'revokeAccessOnRefresh' | 'rateLimit'>;

export class PolicyModel {
  readonly #policy: Policy;
  readonly #refresh = new Map<string, RefreshModel>();
  readonly #access = new Map<string, AccessModel>();
  #admitted = 0;

  /** Counts of what the policy did, to show the fuzzer exercised it. */
  readonly events = { rotations: 0, graceReplays: 0, familyRevocations: 0, rateLimited: 0, logins: 0 };

  constructor(policy: Policy) {
    this.#policy = policy;
  }

  /** A family the fuzzer created outside HTTP: a login, then one rotation, so a spent token exists. */
  seed(login: Issued, rotated: Issued): void {
    const family = this.#family();
    const first = this.#newRefresh(login.refresh, family)!;
    this.#issueAccess(login.access, family);
    this.#rotate(first, rotated);
    this.events.rotations = 0;
  }

  predict(rule: Rule, tokens: Tokens): Prediction {
    if (rule.kind === 'fixed') return { expected: rule.expected, changes: false };
    if (rule.kind === 'login') return this.#predictLogin();
    if (rule.kind === 'bearer') return this.#predictBearer(fillPlaceholders(rule.authorization, tokens));
    return this.#predictGrant(fillPlaceholders(rule.token, tokens));
  }

  #predictLogin(): Prediction {
    return {
      expected: { status: 200 },
      outcome: 'login_ok',
      changes: true,
      apply: (answer) => {
        if (!answer.issued) return 'a login answered without tokens';
        const family = this.#family();
        this.events.logins += 1;
        if (!this.#newRefresh(answer.issued.refresh, family)) return 'a login issued a refresh token seen before';
        return this.#issueAccess(answer.issued.access, family);
      },
    };
  }

  #predictBearer(authorization: string): Prediction {
    // The scheme is case-sensitive in this server, as the route table documents: `Bearer ` only.
    const token = authorization.startsWith('Bearer ') ? authorization.slice('Bearer '.length) : '';
    const record = this.#access.get(token);
    const valid = record !== undefined && !record.revoked && !record.family.revoked;
    return valid
      ? { expected: { status: 200 }, outcome: 'api_ok', changes: false }
      : { expected: { status: 401 }, outcome: 'api_unauthorized', changes: false };
  }

  #predictGrant(token: string): Prediction {
    const limit = this.#policy.rateLimit;
    if (limit && this.#admitted >= limit.requests) {
      // Refused before the token is looked at; refused requests do not use up the window.
      const expected = { status: 429, error: 'rate_limited' };
      return { expected, outcome: 'rate_limited', changes: false, apply: () => this.#count('rateLimited') };
    }
    const admit = () => {
      if (limit) this.#admitted += 1;
    };
    const limited = limit !== null;
    const record = this.#refresh.get(token);
    const refused = (outcome: LedgerOutcome, revokes: FamilyModel | null): Prediction => ({
      expected: { status: 400, error: 'invalid_grant' },
      outcome,
      changes: limited || revokes !== null,
      apply: () => {
        admit();
        if (revokes) this.#revoke(revokes);
        return null;
      },
    });

    if (!record || record.family.revoked) return refused('invalid_grant', null);
    const granted = (apply: (answer: Answer) => string | null): Prediction => ({
      expected: { status: 200 },
      outcome: 'refresh_ok',
      changes: true,
      apply: (answer) => (admit(), apply(answer)),
    });
    if (!record.spent) return granted((answer) => this.#rotate(record, answer.issued));
    if (this.#inGrace(record)) return granted((answer) => this.#replay(record, answer.issued));
    if (this.#policy.reuse === 'family-revocation') return refused('family_revoked', record.family);
    return refused('invalid_grant', null);
  }

  /** The immediately previous token, while its successor is unspent and replays remain. */
  #inGrace(record: RefreshModel): boolean {
    const { window, maxReuse } = this.#policy.grace;
    if (window <= 0 || !record.successor || record.successor.spent) return false;
    return maxReuse === null || record.graceReplays < maxReuse;
  }

  #rotate(record: RefreshModel, issued: Issued | undefined): string | null {
    if (!issued) return 'a rotation answered without tokens';
    const next = this.#newRefresh(issued.refresh, record.family);
    if (!next) return 'a rotation issued a refresh token seen before';
    record.spent = true;
    record.successor = next;
    this.events.rotations += 1;
    return this.#issueAccess(issued.access, record.family);
  }

  #replay(record: RefreshModel, issued: Issued | undefined): string | null {
    if (!issued) return 'a grace replay answered without tokens';
    record.graceReplays += 1;
    this.events.graceReplays += 1;
    // A grace replay hands out the successor again, never a new refresh token.
    if (this.#refresh.get(issued.refresh) !== record.successor) return 'a grace replay did not return the successor';
    return this.#issueAccess(issued.access, record.family);
  }

  #revoke(family: FamilyModel): void {
    family.revoked = true;
    this.events.familyRevocations += 1;
  }

  #count(event: 'rateLimited'): null {
    this.events[event] += 1;
    return null;
  }

  #family(): FamilyModel {
    return { revoked: false, access: [] };
  }

  /** Registers a refresh token; null when the server issued one it had issued before. */
  #newRefresh(token: string, family: FamilyModel): RefreshModel | null {
    if (this.#refresh.has(token)) return null;
    const record = { family, spent: false, successor: null, graceReplays: 0 };
    this.#refresh.set(token, record);
    return record;
  }

  #issueAccess(token: string, family: FamilyModel): string | null {
    if (this.#access.has(token)) return 'an access token was issued twice';
    if (this.#policy.revokeAccessOnRefresh) for (const older of family.access) older.revoked = true;
    const record = { family, revoked: false };
    family.access.push(record);
    this.#access.set(token, record);
    return null;
  }
}
