/**
 * The `tokenrace` executable: parse, run, print, exit. The only module that talks to the user.
 */
import { buildParser } from './cli.js';
import { compareCommand } from './commands/compare-command.js';
import { installClientCommand } from './commands/install-client-command.js';
import { matrixCommand } from './commands/matrix-command.js';
import { ExitCode, isTokenraceError } from './errors.js';
import { resolveOptions } from './scenario/options.js';

async function main(argv: string[]): Promise<number> {
  let usageError: string | null = null;
  const parser = buildParser(argv).fail((message, error) => {
    usageError = error?.message ?? message;
  });
  const args = await parser.parseAsync();
  if (usageError) return reportUsage(usageError);
  if (args.help) return ExitCode.pass;

  const stop = new AbortController();
  let stops = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    stops += 1;
    if (stops > 1) process.exit(ExitCode.interrupted);
    process.stderr.write(`\n${signal}: stopping workers and writing the report of what ran…\n`);
    stop.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    if (args._[0] === 'install-client') return await installClientCommand(String(args.client), process.stdout);
    const options = resolveOptions(args as Record<string, unknown>);
    const run = args._[0] === 'matrix' ? matrixCommand : compareCommand;
    return await run(options, Boolean(args.json), {
      stdout: (text) => process.stdout.write(text),
      stderr: (text) => process.stderr.write(text),
      signal: stop.signal,
    });
  } catch (error) {
    if (!isTokenraceError(error)) throw error;
    process.stderr.write(`error ${error.code}: ${error.message}\n`);
    const isUsage = ['ERR_INVALID_OPTION', 'ERR_OUTPUT_UNWRITABLE', 'ERR_ISOLATION_UNAVAILABLE'].includes(error.code);
    return isUsage ? ExitCode.usage : ExitCode.harnessError;
  }
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
