import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Worker and client processes run compiled JavaScript from `dist/`. Inside the test runner this
 * module is loaded from TypeScript source, so map source locations to their compiled twins.
 */
const here = path.dirname(fileURLToPath(import.meta.url));
const runningFromSource = !existsSync(path.join(here, 'paths.js'));

export const PROJECT_ROOT = path.resolve(here, '..');
export const DIST_ROOT = runningFromSource ? path.join(PROJECT_ROOT, 'dist') : here;

/** Absolute path of a compiled module, e.g. `compiledModule('client/client-main')`. */
export function compiledModule(relativeWithoutExtension: string): string {
  return path.join(DIST_ROOT, `${relativeWithoutExtension}.js`);
}
