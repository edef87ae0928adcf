import yargs, { type Argv } from 'yargs';
import { GATE_FLAGS } from './scenario/gate-options.js';
import { OPTION_DEFINITIONS } from './scenario/options.js';

/**
 * Builds the argument parser without running anything, so tests can parse argument lists.
 * Flags come from the option table; every value arrives as the string the user typed and is
 * validated by `resolveOptions`, never coerced here (yargs would turn "abc" into NaN).
 */
export function buildParser(argv: readonly string[]): Argv {
  return yargs([...argv])
    .scriptName('tokenrace')
    .usage('$0 <command> [options]')
    .command(['compare', '$0'], 'run the same workload under the legacy and the shared layout', (command) => {
      for (const definition of OPTION_DEFINITIONS) {
        command.option(definition.flag, {
          type: 'string',
          describe: definition.describe,
          defaultDescription: definition.default || 'random',
        });
      }
      return withGate(command).option('json', { type: 'boolean', default: false, describe: 'print one JSON document on stdout' });
    })
    .command('report <journal>', 'rebuild every report of a run from its events.ndjson alone', (command) =>
      withGate(command)
        .positional('journal', { type: 'string', describe: 'a run directory or its events.ndjson' })
        .option('out', { type: 'string', describe: 'write into <out>/<run-id>/ instead of beside the journal' })
        .option('json', { type: 'boolean', default: false, describe: 'print one JSON document on stdout' }),
    )
    .strict()
    .help()
    .version(false)
    .wrap(Math.min(100, process.stdout.columns ?? 100));
}

function withGate<T>(command: Argv<T>): Argv<T> {
  for (const [flag, definition] of Object.entries(GATE_FLAGS)) command.option(flag, { ...definition });
  return command;
}
