import { clientLabel, clientSettingsSchema } from '../client/client-profile.js';
import type { SessionProfile } from '../client/session.js';
import type { Scenario } from './scenario-schema.js';

/**
 * Client presets by name, and how a scenario's `client` knobs turn one into the SessionProfile
 * every container runs.
 *
 * `beside-only` is the design note's client: one proper-lockfile lock beside the config dir,
 * `realpath` on, library `stale`/`update` defaults, and a re-read of the store once the lock is
 * held. Retries are compressed like token lifetimes (the real client sleeps 1-2 s, 5 times).
 */
export const BESIDE_ONLY_PROFILE: SessionProfile = clientSettingsSchema.parse({});

export const CLIENT_PRESETS: Readonly<Record<Scenario['client']['profile'], SessionProfile>> = {
  'beside-only': BESIDE_ONLY_PROFILE,
};

type ClientKnobs = Omit<Scenario['client'], 'requestTimeout'>;

/** The preset with the scenario's knobs applied. A changed preset is named `<preset>+knobs`. */
export function resolveClientProfile(client: ClientKnobs): SessionProfile {
  const preset = CLIENT_PRESETS[client.profile];
  const profile: SessionProfile = {
    ...preset,
    realpath: client.realpath ?? preset.realpath,
    staleMs: client.stale ?? preset.staleMs,
    updateMs: client.update ?? preset.updateMs,
    lockRetries: client.retries ?? preset.lockRetries,
    lockRetryMinMs: client.retryMin ?? preset.lockRetryMinMs,
    lockRetryMaxMs: client.retryMax ?? preset.lockRetryMaxMs,
    rereadAfterLock: client.rereadAfterLock ?? preset.rereadAfterLock,
  };
  const changed = (Object.keys(profile) as Array<keyof SessionProfile>).some((key) => profile[key] !== preset[key]);
  return changed ? { ...profile, label: `${clientLabel(preset)}+knobs` } : profile;
}
