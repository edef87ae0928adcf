/**
 * The `tokenrace` executable: parse, run, print, exit. The only module that talks to the user.
 */
import path from 'node:path';
import { buildParser, misspeltSwitch } from './cli.js';
import type { CommandIo } from './commands/run-command.js';
import { ExitCode, isTokenraceError, type ErrorCode } from './errors.js';
import { isolationRequestSchema } from './scenario/scenario-schema.js';
import { invalidOption } from './errors.js';
import { LIBRARY_DIR, loadScenario } from './scenario/load-scenario.js';
import { RUN_FLAGS, resolveClientFlags, resolveRunSafety } from './scenario/options.js';
import { resolveGate } from './scenario/gate-options.js';
import { installClientCommand } from './commands/install-client-command.js';
import { matrixCommand } from './commands/matrix-command.js';

const USAGE_ERRORS: readonly ErrorCode[] = [
  'ERR_INVALID_OPTION',
  'ERR_OUTPUT_UNWRITABLE',
  'ERR_ISOLATION_UNAVAILABLE',
  'ERR_SCENARIO_INVALID',
  'ERR_SCENARIO_NOT_FOUND',
  'ERR_JOURNAL_UNREADABLE',
  'ERR_REAL_CREDENTIAL_STORE',
];

async function main(argv: string[]): Promise<number> {
  const stop = new AbortController();
  let stops = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    stops += 1;
    if (stops > 1) {
      process.stderr.write(`\n${signal} again: exiting now; the report of this run is not written\n`);
      process.exit(ExitCode.interrupted);
    }
    process.stderr.write(`\n${signal}: stopping workers and writing the report of what ran…\n`);
    stop.abort();
  };
  // A reader that goes away (`tokenrace ... 2>&1 | head -1`) makes later writes fail with EPIPE;
  // the run must still end, clean up and write its reports, so those errors are dropped.
  process.stdout.on('error', () => undefined);
  process.stderr.on('error', () => undefined);
  // Installed first: a signal that arrives while the commands are still loading must find them.
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  let usageError: string | null = null;
  const parser = buildParser(argv).fail((message, error) => {
    usageError = error?.message ?? message;
  });
  const args = await parser.parseAsync();
  if (usageError) return reportUsage(usageError);
  const misspelt = misspeltSwitch(argv);
  if (misspelt) {
    const [flag, value] = misspelt;
    process.stderr.write(`error ERR_INVALID_OPTION: ${flag}: got ${JSON.stringify(value)}, expected no value, true or false\n`);
    return ExitCode.usage;
  }
  if (args.help || args.version) return ExitCode.pass;

  const io: CommandIo = {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    signal: stop.signal,
    stderrIsTty: process.stderr.isTTY === true,
  };
  try {
    return await dispatch(String(args._[0] ?? 'compare'), args as Record<string, unknown>, io);
  } catch (error) {
    if (!isTokenraceError(error)) throw error;
    process.stderr.write(`error ${error.code}: ${error.message}\n`);
    return USAGE_ERRORS.includes(error.code) ? ExitCode.usage : ExitCode.harnessError;
  }
}

async function dispatch(command: string, args: Record<string, unknown>, io: CommandIo): Promise<number> {
  const json = Boolean(args.json);
  if (args.out === '') throw invalidOption('--out', '', 'a directory');
  if (Array.isArray(args.out)) throw invalidOption('--out', args.out.join(' '), 'a single directory');
  const out = typeof args.out === 'string' ? args.out : RUN_FLAGS.out.default;
  const dir = typeof args.dir === 'string' ? args.dir : LIBRARY_DIR;
  const safety = resolveRunSafety(args);

  // Commands are loaded after the signal handlers are in place: they are the heavy part.
  switch (command) {
    case 'scenarios': {
      const { scenariosCommand } = await import('./commands/scenarios-command.js');
      return scenariosCommand(dir, json, io);
    }
    case 'report': {
      const { reportCommand } = await import('./commands/report-command.js');
      return reportCommand(String(args.journal), args, json, io);
    }
    case 'suite': {
      const isolation = args.isolation === undefined ? undefined : isolationRequestSchema.safeParse(args.isolation);
      if (isolation && !isolation.success) {
        throw invalidOption('--isolation', String(args.isolation), 'one of auto, namespace, paths');
      }
      const { suiteCommand } = await import('./commands/suite-command.js');
      return suiteCommand({ dir, out, json, isolation: isolation?.data }, io);
    }
    case 'install-client':
      return installClientCommand(String(args.client), process.stdout);
    case 'matrix': {
      const clients = resolveClientFlags(args);
      const { scenario } = await loadScenario('compare', LIBRARY_DIR, args);
      return matrixCommand(scenario, clients, { out, json }, io);
    }
    case 'run': {
      const clients = withoutVersions(resolveClientFlags(args));
      const { scenario, origin } = await loadScenario(String(args.scenario), LIBRARY_DIR, args);
      const scenarioDir = origin === 'builtin' ? process.cwd() : path.dirname(origin);
      const gate = resolveGate(args);
      const { runCommand } = await import('./commands/run-command.js');
      return runCommand(scenario, { judge: 'expectations', out, json, gate, clients, scenarioDir, ...safety }, io);
    }
    default: {
      const clients = withoutVersions(resolveClientFlags(args));
      const { scenario } = await loadScenario('compare', LIBRARY_DIR, args);
      const gate = resolveGate(args);
      const { runCommand } = await import('./commands/run-command.js');
      return runCommand(scenario, { judge: 'compare', out, json, gate, clients, ...safety }, io);
    }
  }
}

/** `--versions` belongs to `matrix`; anywhere else it would be ignored without a word. */
function withoutVersions<T extends { versions: string[] }>(clients: T): T {
  if (clients.versions.length > 0) throw invalidOption('--versions', clients.versions.join(','), '--versions only with tokenrace matrix');
  return clients;
}

function reportUsage(message: string): number {
  process.stderr.write(`error ERR_USAGE: ${message.split('\n')[0]}\n`);
  return ExitCode.usage;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`${(error as Error)?.stack ?? String(error)}\n`);
    process.exitCode = ExitCode.harnessError;
  },
);
