// Module-level aliases: global `Math` lookups are slow inside jest's VM sandbox.
const { floor, imul } = Math;

/**
 * A small seeded pseudo-random generator (mulberry32). Row and column subsampling draw from it
 * so that the same seed gives the same model on any machine and any thread count.
 */
export class SeededRandom {
  private state: number;

  /** `seed` is reduced to an unsigned 32-bit integer. */
  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A uniform draw in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = imul(t ^ (t >>> 15), t | 1);
    t ^= t + imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** A uniform integer in [0, bound). */
  nextInt(bound: number): number {
    return floor(this.next() * bound);
  }
}
