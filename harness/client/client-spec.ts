import { invalidOption } from '../errors.js';
import type { Scenario } from '../scenario/scenario-schema.js';
import { PINNED_CLAUDE_VERSION } from './claude-install.js';
import { assignClients, type ClientKnobs } from './client-profile.js';

/**
 * Which client a container runs. `builtin` is the harness's own model; `claude-code` is the
 * published binary at a version (or the file --claude-bin names); `exec` is any command, started
 * as `sh -c '<--client-cmd>'`. A fleet may mix them: containers take the listed kinds in turn.
 */
export type ClientSpec =
  | { kind: 'builtin' }
  | { kind: 'claude-code'; version: string }
  | { kind: 'exec'; command: string };

export function parseClientSpecs(client: string, clientCmd: string): ClientSpec[] {
  const names = client.split(',').map((name) => name.trim());
  const specs = names.map((name): ClientSpec => {
    if (name === 'builtin') return { kind: 'builtin' };
    if (name === 'exec') return { kind: 'exec', command: clientCmd };
    const match = /^claude-code(?:@(.+))?$/.exec(name);
    if (match) return { kind: 'claude-code', version: match[1] ?? PINNED_CLAUDE_VERSION };
    throw invalidOption('--client', client, 'a comma list of builtin, claude-code[@version], exec');
  });
  if (specs.some((spec) => spec.kind === 'exec') && clientCmd.trim() === '') {
    throw invalidOption('--client-cmd', clientCmd, 'a command when --client includes exec');
  }
  return specs;
}

/** The spec container `worker` (1-based) runs: the listed kinds, taken in turn. */
export function specForWorker(specs: readonly ClientSpec[], worker: number): ClientSpec {
  return specs[(worker - 1) % specs.length]!;
}

export function describeSpec(spec: ClientSpec): string {
  return spec.kind === 'claude-code' ? `claude-code@${spec.version}` : spec.kind;
}

export function hasRealClients(specs: readonly ClientSpec[]): boolean {
  return specs.some((spec) => spec.kind !== 'builtin');
}

/** The spec a scenario's `client` (or one entry of `clients`) names. */
export function specOfKnobs(knobs: ClientKnobs): ClientSpec {
  if (knobs.kind === 'exec') return { kind: 'exec', command: knobs.command! };
  if (knobs.kind === 'claude-code') return { kind: 'claude-code', version: knobs.version ?? PINNED_CLAUDE_VERSION };
  return { kind: 'builtin' };
}

/**
 * What each container of a scenario runs. A mixed fleet is spelt out worker by worker, so
 * `specForWorker` picks the entry that `assignClients` gives the same worker.
 */
export function specsOfScenario(scenario: Pick<Scenario, 'client' | 'clients' | 'workers'>): ClientSpec[] {
  if (!scenario.clients) return [specOfKnobs(scenario.client)];
  return assignClients(scenario.clients, scenario.workers).map(specOfKnobs);
}
