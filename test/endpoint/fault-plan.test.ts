import { describe, expect, it } from 'vitest';
import { FaultPlan } from '../../harness/endpoint/fault-plan.js';
import { serverSettingsSchema } from '../../harness/endpoint/server-settings.js';

function planFor(faults: unknown[], seed = 9) {
  return new FaultPlan(serverSettingsSchema.parse({ faults }).faults, seed);
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

describe('fault plan', () => {
  it('draws lognormal latency with the configured median and 99th percentile', () => {
    const plan = planFor([{ kind: 'latency', distribution: 'lognormal', p50: 40, p99: 400 }]);

    const delays = Array.from({ length: 20_000 }, () => plan.next().latencyMs).sort((a, b) => a - b);
    expect(quantile(delays, 0.5)).toBeGreaterThan(36);
    expect(quantile(delays, 0.5)).toBeLessThan(44);
    expect(quantile(delays, 0.99)).toBeGreaterThan(330);
    expect(quantile(delays, 0.99)).toBeLessThan(480);
  });

  it('adds up latency faults that fire together', () => {
    const plan = planFor([
      { kind: 'latency', distribution: 'fixed', delay: 10 },
      { kind: 'latency', distribution: 'fixed', delay: 25, every: 2 },
    ]);

    expect([1, 2, 3, 4].map(() => plan.next().latencyMs)).toEqual([10, 35, 10, 35]);
  });

  it('lets a before-commit fault displace an after-commit one on the same request', () => {
    const plan = planFor([
      { kind: 'error', phase: 'after-commit' },
      { kind: 'reset', phase: 'before-commit', requests: [2] },
    ]);

    const [first, second] = [plan.next(), plan.next()];
    expect(first.after).toEqual({ kind: 'error', phase: 'after-commit', status: 503 });
    expect(second.before).toEqual({ kind: 'reset', phase: 'before-commit' });
    expect(second.after).toBeNull();
    expect(second.injected).toEqual([{ kind: 'reset', phase: 'before-commit' }]);
  });
});
