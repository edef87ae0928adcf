import { claudeFromPath, installClaude, type ClaudeBinary } from '../client/claude-install.js';
import { hasRealClients, parseClientSpecs, specsOfScenario, type ClientSpec } from '../client/client-spec.js';
import { refuseFileMountWithoutNamespaces } from '../layout/file-mount.js';
import type { IsolationName } from '../layout/layouts.js';
import { isInsideRunNetns, probeNetNamespace, reexecInNetNamespace } from '../isolation/net-namespace.js';
import type { RealClientSetup } from '../run/real-client-driver.js';
import type { LayoutName } from '../journal/events.js';
import type { ClientFlags, NetworkRouteChoice } from '../scenario/options.js';
import type { Scenario } from '../scenario/scenario-schema.js';

/**
 * Everything a run of real clients needs before its first container starts: the specs, each
 * Claude Code version installed (while the network is still there), and the route to the mock.
 *
 * Where network namespaces work, the coordinator does not run the fleet itself: it starts itself
 * again inside `unshare --net --mount` and passes on that run's exit code, so the endpoint and
 * every container share a loopback with no way out.
 */
export type RealClientPlan =
  | { status: 'builtin' }
  | { status: 'reexec'; exitCode: number }
  | { status: 'ready'; setup: RealClientSetup };

/** Which clients a run's containers start, and from where exec commands run. */
export interface ClientRequest {
  specs: ClientSpec[];
  /** `--claude-bin`: every claude-code container runs this file instead of a version. */
  claudeBin: string;
  /** Where exec commands start: the user's directory for `--client-cmd`, else the scenario's. */
  cwd: string;
  /** `--network-route`: `proxy` forces the HTTPS_PROXY route; `auto` when no flag was given. */
  networkRoute: NetworkRouteChoice;
}

/**
 * The client flags win when they name a client (`--client`, `--client-cmd`); otherwise the
 * scenario's `client.kind` (or `clients`) decides, and its commands run from the directory of
 * the scenario file, so a scenario can name a client script beside it.
 */
export function clientRequestFor(
  flags: Pick<ClientFlags, 'client' | 'clientCmd' | 'claudeBin' | 'networkRoute'> | undefined,
  scenario: Pick<Scenario, 'client' | 'clients' | 'workers'>,
  scenarioDir: string = process.cwd(),
): ClientRequest {
  const claudeBin = flags?.claudeBin ?? '';
  const networkRoute = flags?.networkRoute ?? 'auto';
  if (flags && (flags.client !== 'builtin' || flags.clientCmd !== '')) {
    return { specs: parseClientSpecs(flags.client, flags.clientCmd), claudeBin, cwd: process.cwd(), networkRoute };
  }
  return { specs: specsOfScenario(scenario), claudeBin, cwd: scenarioDir, networkRoute };
}

export async function prepareRealClients(
  request: ClientRequest,
  layouts: readonly LayoutName[],
  isolation: IsolationName,
  onNote: (text: string) => void,
): Promise<RealClientPlan> {
  if (layouts.includes('file-mount') && isolation !== 'namespace') refuseFileMountWithoutNamespaces();
  const specs = withCustomBinary(request.specs, request.claudeBin);
  if (!hasRealClients(specs)) return { status: 'builtin' };

  const binaries = await installAll(specs, request.claudeBin, onNote);
  if (!isInsideRunNetns()) {
    const probe = probeNetNamespace();
    if (probe.available) return { status: 'reexec', exitCode: await reexecInNetNamespace(process.argv.slice(1)) };
    // TODO(isolation): on the proxy route a client that ignores HTTPS_PROXY could reach the network;
    // only the network namespace makes that impossible. Claude Code honours the variable.
    onNote(`warning: no network namespace (${probe.reason}); real clients reach the mock through an HTTPS proxy\n`);
    return { status: 'ready', setup: { specs, binaries, route: 'proxy', routeReason: probe.reason, cwd: request.cwd } };
  }

  const { route, routeReason } = chooseRoute(request.networkRoute, isolation);
  return { status: 'ready', setup: { specs, binaries, route, routeReason, cwd: request.cwd } };
}

/**
 * Inside the run's network namespace: /etc/hosts per container where mount namespaces allow it,
 * else the CONNECT proxy. `--network-route proxy` takes the proxy anyway, so the fallback a
 * machine without namespaces would use can be run (and tested) where namespaces work, still with
 * loopback only.
 */
function chooseRoute(choice: NetworkRouteChoice, isolation: IsolationName): Pick<RealClientSetup, 'route' | 'routeReason'> {
  const where = 'network namespace with loopback only';
  if (choice === 'proxy') return { route: 'proxy', routeReason: `${where}; HTTPS_PROXY (--network-route proxy)` };
  if (isolation === 'namespace') return { route: 'hosts', routeReason: `${where}; /etc/hosts per container` };
  return { route: 'proxy', routeReason: `${where}; HTTPS_PROXY (no mount namespace for /etc/hosts)` };
}

/** With --claude-bin, every claude-code container runs that file, whatever version was named. */
function withCustomBinary(specs: ClientSpec[], claudeBin: string): ClientSpec[] {
  if (!claudeBin) return specs;
  return specs.map((spec) => (spec.kind === 'claude-code' ? { kind: 'claude-code', version: 'custom' } : spec));
}

async function installAll(
  specs: readonly ClientSpec[],
  claudeBin: string,
  onNote: (text: string) => void,
): Promise<Map<string, ClaudeBinary>> {
  const binaries = new Map<string, ClaudeBinary>();
  for (const spec of specs) {
    if (spec.kind !== 'claude-code' || binaries.has(spec.version)) continue;
    if (spec.version === 'custom') {
      binaries.set('custom', claudeFromPath(claudeBin));
      continue;
    }
    const binary = await installClaude(spec.version);
    if (!isInsideRunNetns()) onNote(`claude-code@${spec.version}: ${binary.kind}, ${binary.argv.at(-1)}\n`);
    binaries.set(spec.version, binary);
  }
  return binaries;
}
