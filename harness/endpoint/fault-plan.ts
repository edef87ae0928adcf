import type { InjectedFault, FaultPhase } from '../journal/events.js';
import { between, createRandom, type Random } from '../random.js';
import type { Fault, LatencyFault } from './server-settings.js';

/**
 * Decides, for each token request in arrival order, which of the configured faults hit it. The
 * draws come from the run's seed, so a seed replays the same faults on the same request
 * numbers (which requests those are still depends on the clients' timing).
 */

export type { InjectedFault, FaultPhase };

export type Disruption = Exclude<InjectedFault, { kind: 'latency' }>;

export interface RequestFaults {
  /** 1-based number of this token request. */
  request: number;
  /** Extra delay before the token is looked at: the sum of the latency faults that fired. */
  latencyMs: number;
  /** What replaces the answer before the rotation is committed (then nothing rotates). */
  before: Disruption | null;
  /** What replaces the answer after the rotation is committed (the new token is lost). */
  after: Disruption | null;
  /** Everything injected, in configuration order, for the ledger. */
  injected: InjectedFault[];
}


/** z for the 99th percentile of a standard normal distribution. */
const Z_99 = 2.3263478740408408;

// TODO(scope): faults hit only the refresh grant; login and API calls are never faulted, so a
// scenario cannot yet model an outage of the whole authorization server.
export class FaultPlan {
  readonly #faults: readonly Fault[];
  readonly #random: Random;
  #requests = 0;

  constructor(faults: readonly Fault[], seed: number) {
    this.#faults = faults;
    this.#random = createRandom(seed ^ 0x5eed_fa17);
  }

  /** The faults for the next token request. */
  next(): RequestFaults {
    this.#requests += 1;
    const planned: RequestFaults = {
      request: this.#requests,
      latencyMs: 0,
      before: null,
      after: null,
      injected: [],
    };
    for (const fault of this.#faults) {
      if (this.#fires(fault, planned.request)) this.#apply(fault, planned);
    }
    return planned;
  }

  #fires(fault: Fault, request: number): boolean {
    if (fault.probability !== undefined) return this.#random() < fault.probability;
    if (fault.every !== undefined) return request % fault.every === 0;
    if (fault.first !== undefined) return request <= fault.first;
    if (fault.requests !== undefined) return fault.requests.includes(request);
    return true;
  }

  #apply(fault: Fault, planned: RequestFaults): void {
    if (fault.kind === 'latency') {
      const delayMs = Math.round(this.#sampleLatency(fault) * 1000) / 1000;
      planned.latencyMs += delayMs;
      planned.injected.push({ kind: 'latency', delayMs });
      return;
    }

    const slot = fault.phase === 'before-commit' ? 'before' : 'after';
    // One disruption per request, the first configured wins; but a request disrupted before the
    // commit never reaches it, so a before-commit fault displaces an after-commit one.
    if (planned.before !== null || (slot === 'after' && planned.after !== null)) return;
    if (slot === 'before' && planned.after !== null) {
      planned.injected = planned.injected.filter((injected) => injected !== planned.after);
      planned.after = null;
    }

    const disruption: Disruption =
      fault.kind === 'error'
        ? { kind: 'error', phase: fault.phase, status: fault.status }
        : fault.kind === 'reset'
          ? { kind: 'reset', phase: fault.phase }
          : { kind: 'hang', phase: fault.phase, holdMs: fault.hold };
    planned[slot] = disruption;
    planned.injected.push(disruption);
  }

  #sampleLatency(fault: LatencyFault): number {
    if (fault.distribution === 'fixed') return fault.delay;
    if (fault.distribution === 'uniform') return between(this.#random, fault.min, fault.max);

    // Lognormal through its median and 99th percentile: ln(delay) ~ N(ln p50, sigma²).
    const sigma = (Math.log(fault.p99) - Math.log(fault.p50)) / Z_99;
    return fault.p50 * Math.exp(sigma * this.#standardNormal());
  }

  /** Box-Muller; `1 - random()` keeps the logarithm's argument in (0, 1]. */
  #standardNormal(): number {
    const radius = Math.sqrt(-2 * Math.log(1 - this.#random()));
    return radius * Math.cos(2 * Math.PI * this.#random());
  }
}
