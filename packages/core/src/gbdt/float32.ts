/**
 * Single-precision arithmetic as XGBoost does it. XGBoost keeps thresholds, leaves and margins
 * in `float`; reproducing each rounding step with `Math.fround` is what makes gfr's scores
 * bit-identical to XGBoost's (see the model-format reference, section 3).
 */

import { expFloat32, logFloat32 } from './libm-float32';

// Module-level aliases: under jest's VM sandbox every access to the global \`Math\` goes through
// a slow interceptor, which made hot loops 50x slower in tests than in production.
const { exp, fround: f, min } = Math;
const { isFinite } = Number;

/** The largest finite float32, used as the threshold of a "value present vs missing" split. */
export const FLOAT32_MAX = f(3.4028234663852886e38);

const SIGMOID_EXPONENT_CAP = f(88.7);
const SIGMOID_EPSILON = f(1e-16);

/**
 * XGBoost's float32 logistic function: `1 / (expf(min(-m, 88.7)) + 1 + 1e-16)` with every step
 * rounded to float32 and glibc's `expf` (see `libm-float32.ts`), so that probabilities equal
 * XGBoost's bit for bit.
 */
export function sigmoidFloat32(margin: number): number {
  const exponent = expFloat32(min(-margin, SIGMOID_EXPONENT_CAP));
  return f(1 / f(f(exponent + 1) + SIGMOID_EPSILON));
}

/**
 * {@link sigmoidFloat32} with the correctly rounded `exp` in place of glibc's `expf`: about 2–3
 * times faster, and one or two float32 units away from XGBoost's probability for about 1
 * margin in 4,000. For training (gradients and log loss), where speed matters and bit-exactness does not.
 */
export function trainingSigmoidFloat32(margin: number): number {
  const exponent = f(exp(min(-margin, SIGMOID_EXPONENT_CAP)));
  return f(1 / f(f(exponent + 1) + SIGMOID_EPSILON));
}

/**
 * The margin XGBoost starts every row from, given `base_score` as a probability:
 * `-logf(1 / p - 1)` in float32, with glibc's `logf`.
 */
export function logitFloat32(probability: number): number {
  const p = f(probability);
  return f(-logFloat32(f(f(1 / p) - 1)));
}

/**
 * Writes a float32 value the way XGBoost's JSON writer does: the shortest decimal that reads
 * back to the same float32, in exponent form (`2.0882861E-1`, `0E0`). The exponent form matters
 * for whole numbers: XGBoost's JSON reader types `0` as an integer and refuses it where a float
 * is expected, while `0E0` is a float.
 */
export function formatFloat32(value: number): string {
  const single = f(value);
  if (!isFinite(single)) {
    throw new RangeError(`cannot write non-finite float32 ${value} into an XGBoost model`);
  }
  if (single === 0) return 1 / single < 0 ? '-0E0' : '0E0';
  for (let digits = 1; digits <= 9; digits++) {
    const text = single.toExponential(digits - 1);
    if (f(+text) === single) return text.replace('e+', 'E').replace('e', 'E');
  }
  // Nine significant digits always identify a float32; this line is never reached.
  return single.toExponential(8).replace('e+', 'E').replace('e', 'E');
}
