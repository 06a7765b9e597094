/**
 * `expf` and `logf` as glibc (2.28 and later) computes them: the table-driven algorithms of
 * Arm's optimized-routines, evaluated in double precision and rounded once to float32.
 * XGBoost's sigmoid calls `expf` and its logistic base margin `logf`; `Math.fround(Math.exp(x))`
 * (the correctly rounded result) differs from glibc's `expf` for about 1 argument in 1,500 (and
 * `logf` for 1 in 300), by one unit in the last place, which is enough to break bit-exact
 * probabilities. Checked against
 * the `libm.so.6` of Debian 12 (glibc 2.36) on millions of arguments.
 *
 * Known shortcoming: on x86-64 with FMA, glibc runs a build of the same code whose
 * multiply-adds are fused; they are evaluated here with an exact product (Dekker's two-product)
 * and one rounding of the sum, which equals a fused multiply-add except when that sum needs
 * double rounding (never seen in the checks; it could move a result by one float32 unit only
 * when the double-precision value sits within one double unit of a float32 rounding boundary).
 */

// Module-level aliases: global `Math` lookups are slow inside jest's VM sandbox.
const { abs, fround } = Math;

const words = new Float64Array(1);
const halves = new Uint32Array(words.buffer);
const single = new Float32Array(1);
const singleBits = new Uint32Array(single.buffer);
/** Index of the high 32 bits of a double in {@link halves}. */
const HIGH = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;
const LOW = 1 - HIGH;

/** A double from C99 hexadecimal notation (`-0x1.57bf7808caadep-2`), exactly. */
function hexDouble(text: string): number {
  const match = /^(-?)0x([01])(?:\.([0-9a-f]*))?p([+-]?\d+)$/i.exec(text);
  if (!match) throw new Error(`not a hexadecimal double: ${text}`);
  const [, sign, lead, fraction = '', exponent] = match;
  const mantissa = parseInt(lead + fraction, 16) || 0;
  const value = mantissa * 2 ** (Number(exponent) - 4 * fraction.length);
  return sign === '-' ? -value : value;
}

// expf: 2^(k/32) table (as IEEE bits, minus k << 47), polynomial for 2^(r/32) - 1.
const EXP_TABLE_BITS = [
  '3ff0000000000000', '3fefd9b0d3158574', '3fefb5586cf9890f', '3fef9301d0125b51',
  '3fef72b83c7d517b', '3fef54873168b9aa', '3fef387a6e756238', '3fef1e9df51fdee1',
  '3fef06fe0a31b715', '3feef1a7373aa9cb', '3feedea64c123422', '3feece086061892d',
  '3feebfdad5362a27', '3feeb42b569d4f82', '3feeab07dd485429', '3feea47eb03a5585',
  '3feea09e667f3bcd', '3fee9f75e8ec5f74', '3feea11473eb0187', '3feea589994cce13',
  '3feeace5422aa0db', '3feeb737b0cdc5e5', '3feec49182a3f090', '3feed503b23e255d',
  '3feee89f995ad3ad', '3feeff76f2fb5e47', '3fef199bdd85529c', '3fef3720dcef9069',
  '3fef5818dcfba487', '3fef7c97337b9b5f', '3fefa4afa2a490da', '3fefd0765b6e4540',
]; // prettier-ignore
const EXP_HIGH = Uint32Array.from(EXP_TABLE_BITS, (bits) => parseInt(bits.slice(0, 8), 16));
const EXP_LOW = Uint32Array.from(EXP_TABLE_BITS, (bits) => parseInt(bits.slice(8), 16));
const EXP_N = 32;
const INV_LN2_N = hexDouble('0x1.71547652b82fep+0') * EXP_N;
const SHIFT = hexDouble('0x1.8p+52');
const EXP_C0 = hexDouble('0x1.c6af84b912394p-5') / EXP_N / EXP_N / EXP_N;
const EXP_C1 = hexDouble('0x1.ebfce50fac4f3p-3') / EXP_N / EXP_N;
const EXP_C2 = hexDouble('0x1.62e42ff0c52d6p-1') / EXP_N;
const EXP_OVERFLOW = hexDouble('0x1.62e42ep6');
const EXP_UNDERFLOW = -hexDouble('0x1.9fe368p6');

// logf: 1/c and log(c) for 16 subintervals of [0x1.6p-1, 0x1.6p0), ln 2, polynomial.
const LOG_TABLE = [
  ['0x1.661ec79f8f3bep+0', '-0x1.57bf7808caadep-2'],
  ['0x1.571ed4aaf883dp+0', '-0x1.2bef0a7c06ddbp-2'],
  ['0x1.49539f0f010bp+0', '-0x1.01eae7f513a67p-2'],
  ['0x1.3c995b0b80385p+0', '-0x1.b31d8a68224e9p-3'],
  ['0x1.30d190c8864a5p+0', '-0x1.6574f0ac07758p-3'],
  ['0x1.25e227b0b8eap+0', '-0x1.1aa2bc79c81p-3'],
  ['0x1.1bb4a4a1a343fp+0', '-0x1.a4e76ce8c0e5ep-4'],
  ['0x1.12358f08ae5bap+0', '-0x1.1973c5a611cccp-4'],
  ['0x1.0953f419900a7p+0', '-0x1.252f438e10c1ep-5'],
  ['0x1p+0', '0x0p+0'],
  ['0x1.e608cfd9a47acp-1', '0x1.aa5aa5df25984p-5'],
  ['0x1.ca4b31f026aap-1', '0x1.c5e53aa362eb4p-4'],
  ['0x1.b2036576afce6p-1', '0x1.526e57720db08p-3'],
  ['0x1.9c2d163a1aa2dp-1', '0x1.bc2860d22477p-3'],
  ['0x1.886e6037841edp-1', '0x1.1058bc8a07ee1p-2'],
  ['0x1.767dcf5534862p-1', '0x1.4043057b6ee09p-2'],
];
const LOG_INVC = Float64Array.from(LOG_TABLE, ([invc]) => hexDouble(invc));
const LOG_LOGC = Float64Array.from(LOG_TABLE, ([, logc]) => hexDouble(logc));
const LN2 = hexDouble('0x1.62e42fefa39efp-1');
const LOG_A0 = hexDouble('-0x1.00ea348b88334p-2');
const LOG_A1 = hexDouble('0x1.5575b0be00b6ap-2');
const LOG_A2 = hexDouble('-0x1.ffffef20a4123p-2');
const LOG_OFFSET = 0x3f330000;

/** Veltkamp's splitter for doubles: 2^27 + 1. */
const SPLITTER = 134217729;

/**
 * `a * b + c` with the product exact (Dekker) and the sum rounded once: a fused multiply-add
 * except in rare double-rounding cases (see the module comment).
 */
function multiplyAdd(a: number, b: number, c: number): number {
  const product = a * b;
  let t = SPLITTER * a;
  const aHigh = t - (t - a);
  const aLow = a - aHigh;
  t = SPLITTER * b;
  const bHigh = t - (t - b);
  const bLow = b - bHigh;
  const productError = aHigh * bHigh - product + aHigh * bLow + aLow * bHigh + aLow * bLow;
  const sum = product + c;
  const sumError = abs(product) >= abs(c) ? product - sum + c : c - sum + product;
  return sum + (sumError + productError);
}

/** glibc's `expf` of a float32 argument (the result is a float32 value). */
export function expFloat32(x: number): number {
  if (!(x <= EXP_OVERFLOW)) return x !== x ? x : Infinity;
  if (x < EXP_UNDERFLOW) return 0;

  // x·32/ln2 = k + r with integer k and |r| <= 1/2; exp(x) = 2^(k/32) · 2^(r/32).
  const kd = multiplyAdd(INV_LN2_N, x, SHIFT) - SHIFT;
  const r = multiplyAdd(INV_LN2_N, x, -kd);
  const index = kd & (EXP_N - 1);
  halves[LOW] = EXP_LOW[index];
  halves[HIGH] = EXP_HIGH[index] + kd * 32768;
  const scale = words[0];

  const z = multiplyAdd(EXP_C0, r, EXP_C1);
  const r2 = r * r;
  const y = multiplyAdd(z, r2, multiplyAdd(EXP_C2, r, 1));
  return fround(y * scale);
}

/** glibc's `logf` of a float32 argument (the result is a float32 value). */
export function logFloat32(x: number): number {
  single[0] = x;
  let bits = singleBits[0];
  if (bits === 0x3f800000) return 0;
  if ((bits - 0x00800000) >>> 0 >= 0x7f800000 - 0x00800000) {
    if ((bits & 0x7fffffff) === 0) return -Infinity;
    if (bits === 0x7f800000) return x;
    if (bits >= 0x80000000 || bits > 0x7f800000) return NaN;
    // Subnormal: normalize.
    single[0] = x * 8388608;
    bits = singleBits[0] - (23 << 23);
  }

  // x = 2^k · z with z in [0x1.6p-1, 0x1.6p0); log(x) = k·ln2 + log(c) + log(z/c).
  const offset = (bits - LOG_OFFSET) >>> 0;
  const index = (offset >>> 19) % 16;
  const k = offset >> 23;
  singleBits[0] = (bits - (offset & 0xff800000)) >>> 0;
  const z = single[0];
  const r = multiplyAdd(z, LOG_INVC[index], -1);
  const y0 = multiplyAdd(k, LN2, LOG_LOGC[index]);
  const r2 = r * r;
  let y = multiplyAdd(LOG_A1, r, LOG_A2);
  y = multiplyAdd(LOG_A0, r2, y);
  y = multiplyAdd(y, r2, y0 + r);
  return fround(y);
}
