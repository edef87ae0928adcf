/**
 * `npm run schema`: regenerates scenarios/schema.json from the zod schema. A test fails while
 * the checked-in file differs from what this writes.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../paths.js';
import { scenarioJsonSchema } from './json-schema.js';

const target = path.join(PROJECT_ROOT, 'scenarios', 'schema.json');
writeFileSync(target, scenarioJsonSchema());
process.stdout.write(`wrote ${path.relative(process.cwd(), target)}\n`);
