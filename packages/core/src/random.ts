/**
 * Seeded pseudo-random numbers for the simulator and for sampled impressions. Every random draw
 * of a simulation comes from streams derived from one seed, so a seed gives bit-identical output
 * on every machine (only 32-bit integer arithmetic and IEEE doubles are involved, no
 * `Math.random`).
 */

/** Mixes a 32-bit value (splitmix32's finaliser); spreads nearby seeds far apart. */
function mix32(value: number): number {
  let z = (value + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** A 32-bit hash of a stream name (FNV-1a), so that streams are addressed by readable names. */
function hashName(name: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < name.length; index++) {
    hash = Math.imul(hash ^ name.charCodeAt(index), 0x01000193);
  }
  return hash >>> 0;
}

const twoToMinus32 = 1 / 4294967296;

/**
 * A small fast generator (sfc32: 128 bits of state, period at least 2^32, passes PractRand to
 * many terabytes) with the distributions the simulator needs. Not for cryptography.
 */
export class SeededRandom {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spareNormal = Number.NaN;

  /** A generator seeded with a 32-bit integer (other numbers are truncated to 32 bits). */
  constructor(seed: number) {
    this.a = mix32(seed);
    this.b = mix32(this.a ^ 0x6a09e667);
    this.c = mix32(this.b ^ 0xbb67ae85);
    this.d = 1;
    for (let round = 0; round < 15; round++) this.uint32();
  }

  /**
   * The generator of the stream `name` of `seed`. Independent concerns (catalogue, users,
   * arrivals, the logging policy, outcomes) each draw from their own stream, so that changing
   * how many numbers one concern consumes (e.g. plugging in another feed policy) leaves the
   * others' draws unchanged: the same users arrive at the same times under every policy.
   */
  static stream(seed: number, name: string): SeededRandom {
    return new SeededRandom(mix32(seed) ^ hashName(name));
  }

  /** A uniform 32-bit unsigned integer. */
  uint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** A uniform number in [0, 1). */
  next(): number {
    return this.uint32() * twoToMinus32;
  }

  /** A uniform integer in [0, count). */
  int(count: number): number {
    return Math.floor(this.next() * count);
  }

  /** True with probability `probability`. */
  bernoulli(probability: number): boolean {
    return this.next() < probability;
  }

  /** A standard normal number (Box–Muller; the pair's second value serves the next call). */
  normal(): number {
    if (!Number.isNaN(this.spareNormal)) {
      const spare = this.spareNormal;
      this.spareNormal = Number.NaN;
      return spare;
    }
    const radius = Math.sqrt(-2 * Math.log(1 - this.next()));
    const angle = 2 * Math.PI * this.next();
    this.spareNormal = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  }

  /** exp(N(mu, sigma²)): a log-normal number whose logarithm has mean `mu` and sd `sigma`. */
  logNormal(mu: number, sigma: number): number {
    return Math.exp(mu + sigma * this.normal());
  }

  /** An exponential number with the given mean. */
  exponential(mean: number): number {
    return -mean * Math.log(1 - this.next());
  }

  /** A Gamma(shape, 1) number (Marsaglia–Tsang; shapes below 1 through the U^(1/shape) boost). */
  gamma(shape: number): number {
    if (shape < 1) return this.gamma(shape + 1) * Math.pow(1 - this.next(), 1 / shape);
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      const x = this.normal();
      const v0 = 1 + c * x;
      if (v0 <= 0) continue;
      const v = v0 * v0 * v0;
      const u = 1 - this.next();
      if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
    }
  }

  /** A Poisson count with the given mean (Knuth's product method; means here are small). */
  poisson(mean: number): number {
    if (mean <= 0) return 0;
    if (mean > 30) return Math.max(0, Math.round(mean + Math.sqrt(mean) * this.normal()));
    const limit = Math.exp(-mean);
    let count = 0;
    let product = this.next();
    while (product > limit) {
      count++;
      product *= this.next();
    }
    return count;
  }

  /** An index drawn with probability proportional to `weights[index]`. */
  weightedIndex(weights: ArrayLike<number>): number {
    let total = 0;
    for (let index = 0; index < weights.length; index++) total += weights[index];
    let target = this.next() * total;
    for (let index = 0; index < weights.length; index++) {
      target -= weights[index];
      if (target < 0) return index;
    }
    return weights.length - 1;
  }
}

/**
 * Running sums of non-negative weights, for drawing an index in proportion to its weight in
 * O(log n) by bisection. Built once, sampled many times (categories, trending boards).
 */
export class CumulativeWeights {
  private readonly sums: Float64Array;

  /** Cumulative sums of `weights`; `length` limits them to a prefix of the array. */
  constructor(weights: ArrayLike<number>, length: number = weights.length) {
    this.sums = new Float64Array(length);
    let total = 0;
    for (let index = 0; index < length; index++) {
      total += weights[index];
      this.sums[index] = total;
    }
  }

  /** The sum of all weights. */
  get total(): number {
    return this.sums.length === 0 ? 0 : this.sums[this.sums.length - 1];
  }

  /** An index drawn in proportion to its weight; -1 when every weight is zero. */
  sample(random: SeededRandom): number {
    const total = this.total;
    if (total <= 0) return -1;
    const target = random.next() * total;
    let low = 0;
    let high = this.sums.length - 1;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.sums[middle] > target) high = middle;
      else low = middle + 1;
    }
    return low;
  }
}

/** Weights 1/rank^exponent for ranks 1..count (Zipf's law), normalised to sum to 1. */
export function zipfWeights(count: number, exponent: number): Float64Array {
  const weights = new Float64Array(count);
  let total = 0;
  for (let rank = 1; rank <= count; rank++) {
    weights[rank - 1] = 1 / Math.pow(rank, exponent);
    total += weights[rank - 1];
  }
  for (let index = 0; index < count; index++) weights[index] /= total;
  return weights;
}

/** The logistic function 1 / (1 + e^-x). */
export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}
