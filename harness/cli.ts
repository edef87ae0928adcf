import yargs, { type Argv } from 'yargs';
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
      return command.option('json', { type: 'boolean', default: false, describe: 'print one JSON document on stdout' });
    })
    .command('matrix', 'run the real Claude Code client at several versions; one row per version and layout', (command) => {
      for (const definition of OPTION_DEFINITIONS) {
        command.option(definition.flag, { type: 'string', describe: definition.describe, defaultDescription: definition.default || 'random' });
      }
      return command.option('json', { type: 'boolean', default: false, describe: 'print one JSON document on stdout' });
    })
    .command('install-client <client>', 'install claude-code@<version> from the npm registry into the cache', (command) =>
      command.positional('client', { type: 'string', describe: 'claude-code[@version]' }),
    )
    .strict()
    .help()
    .version(false)
    .wrap(Math.min(100, process.stdout.columns ?? 100));
}
