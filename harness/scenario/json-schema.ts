import { z } from 'zod';
import { scenarioSchema } from './scenario-schema.js';

/**
 * `scenarios/schema.json`: the scenario schema as JSON Schema, for editors (a scenario file
 * points at it with `"$schema": "./schema.json"`). It describes what may be *written* (input):
 * durations as numbers or strings such as "4s". Cross-field rules (margin below TTL, lock
 * timings proper-lockfile would change) are checked by tokenrace only.
 */
export function scenarioJsonSchema(): string {
  const schema = z.toJSONSchema(scenarioSchema, { io: 'input', unrepresentable: 'any' });
  const titled = { title: 'tokenrace scenario', ...schema };
  return JSON.stringify(titled, null, 2) + '\n';
}
