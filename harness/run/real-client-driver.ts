import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ClaudeBinary } from '../client/claude-install.js';
import { describeSpec, specForWorker, type ClientSpec } from '../client/client-spec.js';
import { credentialsPath } from '../client/credentials-file.js';
import { RUNNER_VARIABLE, type RunnerSettings } from '../client/runner-settings.js';
import { anthropicRoutes } from '../endpoint/anthropic-routes.js';
import { startHttpsFront, type HttpsFront, type NetworkRoute } from '../endpoint/https-front.js';
import { CLAUDE_HOSTS, createTlsMaterial } from '../endpoint/tls-material.js';
import { LOGIN_PATH, TOKEN_PATH, API_PATH, type RunningEndpoint, type TokenEndpointOptions } from '../endpoint/token-endpoint.js';
import type { ContainerTask } from '../fleet/container-worker.js';
import { containerCommand } from '../isolation/isolation.js';
import type { RunClock } from '../journal/clock.js';
import type { LayoutName } from '../journal/events.js';
import type { Journal } from '../journal/journal.js';
import { configDirFor, type ContainerPlan, type IsolationName, type RunTree } from '../layout/layouts.js';
import { compiledModule } from '../paths.js';
import { LockWatcher } from './lock-watcher.js';
import { inspectStore } from './store-inspection.js';

/**
 * What a layout run needs beyond the built-in model to drive real clients: the endpoint's extra
 * routes behind HTTPS, each container's /etc/hosts (or proxy), a command runner in place of the
 * built-in client, the lock watcher, and a look at the store at the end.
 *
 * Time is compressed the other way round from the built-in model: Claude Code refreshes when a
 * token has less than 5 minutes left, a margin nobody can set, so tokens are issued for 5 minutes
 * plus the run's --token-ttl and the client sees them expire after --token-ttl.
 */
export const CLAUDE_EXPIRY_MARGIN_MS = 5 * 60_000;
export const CLAUDE_PROMPT = 'Reply with the single word ok.';
/**
 * `once` commands should end by the deadline; a looped `claude -p` may be mid-turn there, and on
 * a loaded machine an old cli.js version takes over 10 s just to start.
 */
const HANG_GRACE_MS = { once: 3_000, loop: 30_000 };
const MAX_EVENTS_PER_RUN = 10_000;

export interface RealClientSetup {
  specs: ClientSpec[];
  /** Installed binaries by version. */
  binaries: ReadonlyMap<string, ClaudeBinary>;
  route: NetworkRoute;
  routeReason: string;
  /** Where exec commands start (the user's working directory, so relative paths work). */
  cwd: string;
}

interface LayoutContext {
  layout: LayoutName;
  isolation: IsolationName;
  workers: number;
  tokenTtlMs: number;
  journal: Journal;
  clock: RunClock;
}

export class RealClientDriver {
  #front: HttpsFront | null = null;
  #watcher: LockWatcher | null = null;
  #caFile = '';
  #tree: RunTree | null = null;
  #endpoint: RunningEndpoint | null = null;

  constructor(
    readonly setup: RealClientSetup,
    readonly context: LayoutContext,
  ) {}

  get refreshMarginMs(): number {
    return CLAUDE_EXPIRY_MARGIN_MS;
  }

  endpointOptions(): Partial<TokenEndpointOptions> {
    return {
      accessTtlMs: CLAUDE_EXPIRY_MARGIN_MS + this.context.tokenTtlMs,
      extraRoutes: anthropicRoutes,
      workerOf: (request) => this.#front?.workerOf(request) ?? null,
    };
  }

  /** TLS, HTTPS front, hosts files, lock watcher and the seeded store; before containers start. */
  async start(scratch: string, tree: RunTree, endpoint: RunningEndpoint): Promise<() => Promise<void>> {
    const { journal, clock, layout, workers } = this.context;
    this.#tree = tree;
    this.#endpoint = endpoint;
    const tls = await createTlsMaterial(path.join(scratch, 'tls'));
    this.#caFile = tls.caFile;
    this.#front = await startHttpsFront({
      listener: endpoint.listener,
      tls,
      workers,
      route: this.setup.route,
      onRefusedConnect: (worker, target) =>
        journal.append({ t: clock.now(), layout, type: 'connect_refused', worker, target }),
    });
    journal.append({ t: clock.now(), layout, type: 'network_route', route: this.setup.route, reason: this.setup.routeReason });

    for (let worker = 1; worker <= workers; worker += 1) {
      const hosts = CLAUDE_HOSTS.map((host) => `${this.#front!.addressOf(worker)} ${host}`);
      await writeFile(this.#hostsFile(worker), ['127.0.0.1 localhost', ...hosts, ''].join('\n'));
      const client = describeSpec(specForWorker(this.setup.specs, worker));
      journal.append({ t: clock.now(), layout, type: 'client_assigned', worker, client });
    }

    this.#watcher = new LockWatcher(tree, workers, (sighting) =>
      journal.append({ t: clock.now(), layout, type: 'lock_seen', ...sighting }),
    );
    await this.#seed(endpoint, tree);
    const front = this.#front;
    return async () => {
      this.#watcher?.close();
      await front.close();
    };
  }

  /** The container's task, or null when it runs the built-in client. */
  taskFor(worker: number, plan: ContainerPlan, socketPath: string, endpointUrl: string): ContainerTask | null {
    const spec = specForWorker(this.setup.specs, worker);
    if (spec.kind === 'builtin') return null;

    const settings: RunnerSettings = {
      worker,
      layout: this.context.layout,
      socketPath,
      clockOriginEpochMs: this.context.clock.originEpochMs,
      argv: spec.kind === 'exec' ? ['sh', '-c', spec.command] : [...this.#binary(spec.version).argv, '-p', CLAUDE_PROMPT],
      mode: spec.kind === 'exec' ? 'once' : 'loop',
      hangGraceMs: HANG_GRACE_MS[spec.kind === 'exec' ? 'once' : 'loop'],
      maxEvents: MAX_EVENTS_PER_RUN,
      cwd: this.setup.cwd,
    };
    const usesHosts = this.setup.route === 'hosts' && this.context.isolation === 'namespace';
    const mounts = usesHosts ? [...plan.mounts, { source: this.#hostsFile(worker), target: '/etc/hosts' }] : plan.mounts;
    const runner = [process.execPath, compiledModule('client/command-runner')];
    const { file, args } = containerCommand(this.context.isolation, { ...plan, mounts }, runner);
    const env = { ...this.#environment(worker, plan, endpointUrl), [RUNNER_VARIABLE]: JSON.stringify(settings) };
    return { worker, file, args, env, cwd: this.#tree!.root };
  }

  /** After the fleet is gone: what the store holds now. */
  async finish(): Promise<void> {
    const { journal, clock, layout } = this.context;
    const registry = this.#endpoint!.registry;
    const isLive = (token: string) => registry.check(token).action !== 'refuse';
    const store = await inspectStore(credentialsPath(this.#tree!.configDir), isLive);
    journal.append({ t: clock.now(), layout, type: 'store_final', ...store });
  }

  /**
   * The environment contract of a real client (README, "Any command"). Built from nothing, so a
   * user's own credentials or API keys can never reach a container.
   */
  #environment(worker: number, plan: ContainerPlan, endpointUrl: string): Record<string, string> {
    const configDir = configDirFor(plan.env);
    const proxy = this.#front!.proxyOf(worker);
    return {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      ...plan.env,
      NODE_EXTRA_CA_CERTS: this.#caFile,
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      DISABLE_AUTOUPDATER: '1',
      DISABLE_TELEMETRY: '1',
      DISABLE_ERROR_REPORTING: '1',
      ...(proxy ? { HTTPS_PROXY: proxy, https_proxy: proxy } : {}),
      TOKENRACE_WORKER: String(worker),
      TOKENRACE_LAYOUT: this.context.layout,
      TOKENRACE_TOKEN_URL: endpointUrl + TOKEN_PATH,
      TOKENRACE_LOGIN_URL: endpointUrl + LOGIN_PATH,
      TOKENRACE_API_URL: endpointUrl + API_PATH,
      TOKENRACE_CONFIG_DIR: configDir,
      TOKENRACE_CREDENTIALS: credentialsPath(configDir),
      TOKENRACE_REFRESH_MARGIN_MS: String(CLAUDE_EXPIRY_MARGIN_MS),
      TOKENRACE_CA_FILE: this.#caFile,
      TOKENRACE_EVENTS_FD: '3',
    };
  }

  /**
   * One logged-in session whose token is already inside the 5-minute margin, so every container's
   * first `claude -p` refreshes at once: the race the layouts are meant to survive. Written
   * before containers start, because file-mount pins the file's inode at mount time.
   */
  async #seed(endpoint: RunningEndpoint, tree: RunTree): Promise<void> {
    const pair = endpoint.registry.login();
    const document = {
      claudeAiOauth: {
        accessToken: pair.accessToken,
        refreshToken: pair.refreshToken,
        expiresAt: Date.now() + CLAUDE_EXPIRY_MARGIN_MS - 1_000,
        scopes: ['user:inference', 'user:profile'],
        subscriptionType: 'max',
        rateLimitTier: 'default_claude_max_20x',
      },
    };
    await writeFile(credentialsPath(tree.configDir), JSON.stringify(document), { mode: 0o600 });
  }

  #binary(version: string): ClaudeBinary {
    const binary = this.setup.binaries.get(version);
    if (!binary) throw new Error(`claude-code@${version} was not installed before the run`);
    return binary;
  }

  #hostsFile(worker: number): string {
    return path.join(this.#tree!.root, `hosts.w${worker}`);
  }
}
