/**
 * The distribution functions the experiment statistics need: the standard normal's CDF and
 * quantile and the χ² survival function. Accuracy: the normal CDF to about 1e-13 absolute
 * (through erfc), the quantile to 1e-12, χ² to 1e-13 relative; checked against scipy.
 */

/** Standard normal CDF Φ(x). */
export function normalCdf(x: number): number {
  return 0.5 * erfc(-x / Math.SQRT2);
}

/** Two-sided p-value of a z statistic: 2 (1 − Φ(|z|)). */
export function twoSidedPValue(z: number): number {
  return Math.min(1, erfc(Math.abs(z) / Math.SQRT2));
}

/**
 * Complementary error function, by W. J. Cody's rational approximations (Math. Comp. 1969),
 * the algorithm behind most C libraries' erfc.
 */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const ax = Math.abs(x);
  if (ax < 0.5) {
    const t = x * x;
    return 1 - (x * horner(erfcSmall.top, t)) / horner(erfcSmall.bottom, t);
  }
  let result: number;
  if (ax < 4) {
    result = (Math.exp(-ax * ax) * horner(erfcMiddle.top, ax)) / horner(erfcMiddle.bottom, ax);
  } else {
    const z = 1 / (ax * ax);
    const tail = (z * horner(erfcLarge.top, z)) / horner(erfcLarge.bottom, z);
    result = (Math.exp(-ax * ax) * (1 / Math.sqrt(Math.PI) - tail)) / ax;
  }
  return x < 0 ? 2 - result : result;
}

/** Cody's coefficients, highest power first, for |x| < 0.5, 0.5 ≤ |x| < 4 and |x| ≥ 4. */
const erfcSmall = {
  top: [
    0.1857777061846032, 3.161123743870566, 113.8641541510502, 377.485237685302, 3209.377589138469,
  ],
  bottom: [1, 23.60129095234412, 244.0246379344442, 1282.616526077372, 2844.236833439171],
};
const erfcMiddle = {
  top: [
    2.053191626637759e-8, 0.56418849698867, 8.88314979438838, 66.11919063714163, 298.6351381974001,
    881.952221241769, 1712.047612634071, 2051.078377826071, 1230.339354797997,
  ],
  bottom: [
    1, 15.74492611070983, 117.6939508913125, 537.1811018620099, 1621.38957456669, 3290.79923573346,
    4362.619090143247, 3439.367674143722, 1230.339354803749,
  ],
};
const erfcLarge = {
  top: [
    0.0163153871373021, 0.305326634961232, 0.3603448999498044, 0.1257817261112292,
    0.01608378514874228, 6.587491615298378e-4,
  ],
  bottom: [
    1, 2.568520192289822, 1.87295284992346, 0.527905102951428, 0.06051834131244132,
    2.335204976268692e-3,
  ],
};

/** Evaluates a polynomial given highest power first. */
function horner(coefficients: readonly number[], x: number): number {
  let value = 0;
  for (const coefficient of coefficients) value = value * x + coefficient;
  return value;
}

/**
 * Quantile of the standard normal, Φ⁻¹(p), by P. J. Acklam's rational approximation refined
 * with one Halley step (relative error below 1e-9 over (0, 1)).
 */
export function normalQuantile(p: number): number {
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  if (!(p > 0 && p < 1)) return NaN;
  const low = 0.02425;
  let x: number;
  if (p < low || p > 1 - low) {
    const q = Math.sqrt(-2 * Math.log(Math.min(p, 1 - p)));
    const tail = horner(acklam.c, q) / horner(acklam.d, q);
    x = p < low ? tail : -tail;
  } else {
    const q = p - 0.5;
    x = (horner(acklam.a, q * q) * q) / horner(acklam.b, q * q);
  }
  // One Halley step on Φ(x) − p brings the error to machine precision.
  const error = normalCdf(x) - p;
  const u = error * Math.sqrt(2 * Math.PI) * Math.exp((x * x) / 2);
  return x - u / (1 + (x * u) / 2);
}

/** Acklam's coefficients, highest power first (the denominators end in 1). */
const acklam = {
  a: [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716,
    2.506628277459239,
  ],
  b: [
    -54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972,
    -13.28068155288572, 1,
  ],
  c: [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734,
    4.374664141464968, 2.938163982698783,
  ],
  d: [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416, 1],
};

/** Survival function of the χ² distribution with `degrees` degrees of freedom: P(X > x). */
export function chiSquareSurvival(x: number, degrees: number): number {
  if (!(degrees > 0)) return NaN;
  if (x <= 0) return 1;
  return upperRegularizedGamma(degrees / 2, x / 2);
}

/** Q(a, x) = Γ(a, x) / Γ(a): a series below a + 1, Lentz's continued fraction above. */
function upperRegularizedGamma(a: number, x: number): number {
  const logPrefix = -x + a * Math.log(x) - logGamma(a);
  if (x < a + 1) {
    let term = 1 / a;
    let sum = term;
    for (let n = 1; n < 10_000; n++) {
      term *= x / (a + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * 1e-16) break;
    }
    return Math.max(0, 1 - sum * Math.exp(logPrefix));
  }
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let n = 1; n < 10_000; n++) {
    const an = -n * (n - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(logPrefix) * h;
}

/** ln Γ(x) for x > 0 (Lanczos, g = 7, 9 terms; about 15 significant digits). */
export function logGamma(x: number): number {
  const coefficients = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
    -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
    1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  const shifted = x - 1;
  let sum = coefficients[0];
  for (let index = 1; index < 9; index++) sum += coefficients[index] / (shifted + index);
  const t = shifted + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (shifted + 0.5) * Math.log(t) - t + Math.log(sum);
}
