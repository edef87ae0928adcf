import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { TokenraceError } from '../errors.js';
import { PROJECT_ROOT } from '../paths.js';
import { BUILTIN_SCENARIOS } from './builtin-scenarios.js';
import { applyFlags, flagIssue } from './options.js';
import { describeIssue, formatIssue, jsonPath } from './scenario-issues.js';
import { scenarioSchema, type Scenario } from './scenario-schema.js';

/**
 * Finding, reading and validating scenarios. Everything is checked before anything runs: a
 * scenario that cannot be read or does not validate stops the command with exit 2.
 */

/** The library shipped with tokenrace: `<package>/scenarios`. */
export const LIBRARY_DIR = path.join(PROJECT_ROOT, 'scenarios');

/** Files in a scenario directory that are not scenarios. */
const NOT_SCENARIOS = new Set(['schema.json', 'package.json']);

export interface LoadedScenario {
  scenario: Scenario;
  /** The file it came from; `builtin` for scenarios defined in code. */
  origin: string;
}

/**
 * `ref` is a path to a JSON file, or a name: a built-in scenario, or `<dir>/<name>.json`.
 * Flags override fields of the scenario they apply to (`overrides`, same shape as a file).
 */
export async function loadScenario(
  ref: string,
  dir: string = LIBRARY_DIR,
  flags: Partial<Record<string, unknown>> = {},
): Promise<LoadedScenario> {
  const file = locate(ref, dir);
  if (file) return { scenario: await readScenarioFile(file, flags), origin: file };

  const builtin = BUILTIN_SCENARIOS.find((candidate) => candidate.name === ref);
  if (builtin) return { scenario: validateScenario(builtin, 'builtin', flags), origin: 'builtin' };

  const known = [...BUILTIN_SCENARIOS.map((scenario) => scenario.name), ...(await scenarioNames(dir))];
  throw new TokenraceError(
    'ERR_SCENARIO_NOT_FOUND',
    `scenario: got ${JSON.stringify(ref)}, expected a scenario file or one of: ${known.join(', ')}`,
  );
}

/** Every scenario file of `dir`, each validated; the first invalid one throws. */
export async function loadScenarioDir(dir: string): Promise<LoadedScenario[]> {
  if (!existsSync(dir)) {
    throw new TokenraceError('ERR_SCENARIO_NOT_FOUND', `dir: got ${JSON.stringify(dir)}, expected a directory of scenario files`);
  }
  const loaded: LoadedScenario[] = [];
  for (const name of await scenarioNames(dir)) {
    const file = path.join(dir, `${name}.json`);
    loaded.push({ scenario: await readScenarioFile(file), origin: file });
  }
  return loaded;
}

export async function readScenarioFile(file: string, flags: Partial<Record<string, unknown>> = {}): Promise<Scenario> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new TokenraceError('ERR_SCENARIO_NOT_FOUND', `scenario: got ${JSON.stringify(file)}, expected a readable file (${code})`, {
      cause: error,
    });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new TokenraceError('ERR_SCENARIO_INVALID', `$: got text that is not JSON, expected a JSON object (${(error as Error).message.replace(/\s+/g, " ")}; in ${file})`);
  }
  const scenario = validateScenario(raw, file, flags);
  const expectedName = path.basename(file, '.json');
  if (scenario.name !== expectedName) {
    throw new TokenraceError(
      'ERR_SCENARIO_INVALID',
      `${jsonPath(['name'])}: got ${JSON.stringify(scenario.name)}, expected ${JSON.stringify(expectedName)} ` +
        `(the file's name; in ${file})`,
    );
  }
  return scenario;
}

/**
 * Validates a parsed scenario with flags applied over it. The first problem becomes
 * ERR_INVALID_OPTION naming the flag when a flag caused it, else ERR_SCENARIO_INVALID with its
 * JSON path in the file.
 */
export function validateScenario(
  raw: unknown,
  origin: string,
  flags: Partial<Record<string, unknown>> = {},
): Scenario {
  const input = applyFlags(raw, flags);
  const parsed = scenarioSchema.safeParse(input, { reportInput: true });
  if (parsed.success) return parsed.data;

  const fromFlag = flagIssue(parsed.error.issues, input, flags);
  if (fromFlag) throw fromFlag;

  const [first, ...rest] = parsed.error.issues;
  const more = rest.length > 0 ? ` (and ${rest.length} more)` : '';
  const where = origin === 'builtin' ? '' : ` (in ${origin})`;
  throw new TokenraceError('ERR_SCENARIO_INVALID', `${formatIssue(describeIssue(first!, input))}${more}${where}`);
}

function locate(ref: string, dir: string): string | null {
  const looksLikePath = ref.endsWith('.json') || ref.includes(path.sep);
  if (looksLikePath) return path.resolve(ref);

  const inDir = path.join(dir, `${ref}.json`);
  return existsSync(inDir) ? inDir : null;
}

async function scenarioNames(dir: string): Promise<string[]> {
  const entries = await readdir(dir).catch(() => [] as string[]);
  return entries
    .filter((entry) => entry.endsWith('.json') && !NOT_SCENARIOS.has(entry))
    .map((entry) => entry.slice(0, -'.json'.length))
    .sort();
}
