import { BUILTIN_SCENARIOS } from '../scenario/builtin-scenarios.js';
import { loadScenarioDir } from '../scenario/load-scenario.js';
import { validateScenario } from '../scenario/load-scenario.js';
import type { CommandIo } from './run-command.js';

/**
 * `tokenrace scenarios [dir]`: one line per scenario (name, description, source URL), built-in
 * ones first. Every file is validated, so an invalid one is reported here too (exit 2).
 */
export async function scenariosCommand(dir: string, json: boolean, io: Pick<CommandIo, 'stdout'>): Promise<number> {
  const builtin = BUILTIN_SCENARIOS.map((input) => validateScenario(input, 'builtin'));
  const files = (await loadScenarioDir(dir)).map((loaded) => loaded.scenario);
  const scenarios = [...builtin, ...files];

  if (json) {
    const listed = scenarios.map(({ name, description, sources }) => ({ name, description, sources }));
    io.stdout(JSON.stringify(listed) + '\n');
    return 0;
  }
  // Only the name is padded: descriptions vary too much for a column to help.
  const width = Math.max(...scenarios.map((scenario) => scenario.name.length));
  const lines = scenarios.map(
    (scenario) => `${scenario.name.padEnd(width)}  ${scenario.description}  ${scenario.sources.join(' ')}`,
  );
  io.stdout(lines.join('\n') + '\n');
  return 0;
}
