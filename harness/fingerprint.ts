import { createHash } from 'node:crypto';

/**
 * A short, non-secret name for a token, so journals and reports can be shared without leaking
 * anything usable. Ten hex digits of SHA-256: collisions are negligible at a run's scale.
 */
export function fingerprint(token: string): string {
  return createHash('sha256').update(token).digest('hex').slice(0, 10);
}
