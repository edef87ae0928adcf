/**
 * A small seeded generator (mulberry32) so that jitter and fault schedules repeat for a seed.
 * Not for anything secret: tokens use node:crypto.
 */
export type Random = () => number;

export function createRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = state;
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
  };
}

/** A uniform draw in [minimum, maximum]. */
export function between(random: Random, minimum: number, maximum: number): number {
  return minimum + random() * (maximum - minimum);
}
