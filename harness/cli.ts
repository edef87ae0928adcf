import { readFileSync } from 'node:fs';
import path from 'node:path';
import yargs, { type Argv } from 'yargs';
import { PROJECT_ROOT } from './paths.js';
import { GATE_FLAGS } from './scenario/gate-options.js';
import { CLIENT_FLAGS, FLAG_DEFINITIONS, OVERWRITE_REAL_STORE_FLAG, RUN_FLAGS } from './scenario/options.js';

/**
 * Builds the argument parser without running anything, so tests can parse argument lists.
 * Scenario flags come from the flag table (scenario/options.ts); every value arrives as the
 * string the user typed and is validated by the scenario schema, never coerced here (yargs would
 * turn "abc" into NaN).
 */
export function buildParser(argv: readonly string[]): Argv {
  return yargs([...argv])
    .scriptName('tokenrace')
    .usage('$0 <command> [options]')
    .command(['compare', '$0'], 'run the same workload under the legacy and the shared layout', (command) =>
      withClientFlags(withGate(withRunFlags(withScenarioFlags(command)))),
    )
    .command('run <scenario>', 'run one scenario (a file, or a name from scenarios/)', (command) =>
      withClientFlags(withGate(withRunFlags(withScenarioFlags(command)))).positional('scenario', {
        type: 'string',
        describe: 'path to a scenario .json file, or a scenario name',
      }),
    )
    .command('scenarios [dir]', 'list the scenarios: name, description, source URL', (command) =>
      withJson(command).positional('dir', { type: 'string', describe: 'scenario directory (default: the library)' }),
    )
    .command('suite [dir]', 'run every scenario of a directory; fail on any unmet expectation', (command) =>
      withRunFlags(command)
        .positional('dir', { type: 'string', describe: 'scenario directory (default: the library)' })
        .option('isolation', { type: 'string', describe: "override every scenario's isolation" }),
    )
    .command('matrix', 'run the real Claude Code at several versions: one row per version and layout', (command) =>
      withClientFlags(withRunFlags(withScenarioFlags(command))),
    )
    .command('install-client <client>', 'install claude-code@<version> from the npm registry into the cache', (command) =>
      command.positional('client', { type: 'string', describe: 'claude-code[@version]' }),
    )
    .command('report <journal>', 'rebuild every report of a run from its events.ndjson alone', (command) =>
      withGate(withJson(command))
        .positional('journal', { type: 'string', describe: 'a run directory or its events.ndjson' })
        .option('out', { type: 'string', describe: 'write into <out>/<run-id>/ instead of beside the journal' }),
    )
    .strict()
    .help()
    .version(packageVersion())
    .wrap(Math.min(100, process.stdout.columns ?? 100));
}

function withScenarioFlags(command: Argv): Argv {
  for (const definition of FLAG_DEFINITIONS) {
    command.option(definition.flag, {
      type: 'string',
      describe: definition.describe,
      defaultDescription: definition.default,
    });
  }
  return command;
}

function withRunFlags(command: Argv): Argv {
  for (const [flag, { describe, default: shown }] of Object.entries(RUN_FLAGS)) {
    command.option(flag, { type: 'string', describe, defaultDescription: shown });
  }
  return withJson(command).option(OVERWRITE_REAL_STORE_FLAG, {
    type: 'boolean',
    default: false,
    describe: 'let --config-dir use a directory that holds .credentials.json or is in ~/.claude',
  });
}

function withClientFlags(command: Argv): Argv {
  for (const [name, definition] of Object.entries(CLIENT_FLAGS)) {
    command.option(name, { type: 'string', describe: definition.describe, defaultDescription: definition.default || 'none' });
  }
  return command;
}

function withJson(command: Argv): Argv {
  return command.option('json', { type: 'boolean', default: false, describe: 'print one JSON document on stdout' });
}

function withGate(command: Argv): Argv {
  for (const [flag, definition] of Object.entries(GATE_FLAGS)) command.option(flag, { ...definition });
  return command;
}

/**
 * yargs reads `--json=maybe` as false without a word; a switch given a value must be spelt
 * `true` or `false`. Returns the first misspelt one as [flag, value], or null.
 */
export function misspeltSwitch(argv: readonly string[]): [string, string] | null {
  for (const arg of argv) {
    const match = /^--([^=]+)=(.*)$/s.exec(arg);
    if (match && SWITCHES.includes(match[1]!) && !['true', 'false'].includes(match[2]!)) return [`--${match[1]}`, match[2]!];
  }
  return null;
}

/** Every boolean flag of every command (a test checks the list against the parser). */
export const SWITCHES: readonly string[] = ['json', 'allow-inconclusive', OVERWRITE_REAL_STORE_FLAG, 'help', 'version'];

/** `tokenrace --version`: the version of the package this file belongs to. */
function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string };
  return manifest.version;
}
