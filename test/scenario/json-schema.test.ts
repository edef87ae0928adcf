import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { scenarioJsonSchema } from '../../harness/scenario/json-schema.js';
import { PROJECT_ROOT } from '../helpers/cli.js';

describe('scenarios/schema.json', () => {
  it('is what `npm run schema` generates from the current zod schema', async () => {
    const checkedIn = await readFile(path.join(PROJECT_ROOT, 'scenarios', 'schema.json'), 'utf8');

    expect(checkedIn).toBe(scenarioJsonSchema());
  });
});
