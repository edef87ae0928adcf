import type { ScenarioInput } from './scenario-schema.js';

/**
 * Scenarios defined in code. `compare` is the default job: every field at its default (see
 * scenario-defaults.ts), the legacy and the shared layout side by side, and the expectation the
 * design note makes: the legacy layout loses sessions, the shared one loses none.
 */
export const COMPARE_SCENARIO: ScenarioInput & { name: 'compare' } = {
  name: 'compare',
  description: 'legacy vs shared layout under one workload: per-container lock paths lose sessions',
  sources: ['https://github.com/anthropics/claude-code/issues/25609'],
  expect: {
    legacy: { invalid_grant: '>0' },
    shared: { invalid_grant: 0, refresh_ok: '>0' },
  },
};

export const BUILTIN_SCENARIOS: readonly ScenarioInput[] = [COMPARE_SCENARIO];
