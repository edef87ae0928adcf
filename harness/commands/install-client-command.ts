import { installClaude } from '../client/claude-install.js';
import { parseClientSpecs } from '../client/client-spec.js';
import { invalidOption } from '../errors.js';

/**
 * `tokenrace install-client claude-code@2.1.197`: fills the cache ahead of a run, so CI can
 * install while it has a network and run the fleet where it has none. Prints the binary's path.
 */
export async function installClientCommand(client: string, stdout: NodeJS.WritableStream): Promise<number> {
  const [spec] = parseClientSpecs(client, '');
  if (spec?.kind !== 'claude-code') throw invalidOption('client', client, 'claude-code[@version]');
  const binary = await installClaude(spec.version);
  stdout.write(`${binary.argv.at(-1)}\n`);
  return 0;
}
