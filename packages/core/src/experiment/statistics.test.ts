import { chiSquareSurvival, normalCdf, normalQuantile } from './distributions';
import { compareArms, contributions } from './estimators';
import { sampleRatioCheck } from './analysis';
import { confidenceSequenceHalfWidth, mixtureRho } from './sequential';

// Reference values computed with scipy 1.10 / numpy (formulas in the comments).
const settings = { alpha: 0.05, tuningUsers: 5000 };
const values = (list: number[]) => contributions(list, null);

describe('distribution functions match scipy', () => {
  test.each([
    [-5, 2.866515718791933e-7],
    [-2, 0.022750131948179195],
    [0.4, 0.6554217416103242],
    [1.96, 0.9750021048517795],
    [7, 0.9999999999987201],
  ])('Φ(%p) = norm.cdf', (x, expected) => {
    expect(normalCdf(x)).toBeCloseTo(expected, 12);
    expect(Math.abs(normalCdf(x) - expected) / expected).toBeLessThan(1e-9);
  });

  test.each([
    [1e-8, -5.612001244174789],
    [0.025, -1.9599639845400545],
    [0.3, -0.5244005127080409],
    [0.999, 3.090232306167813],
  ])('Φ⁻¹(%p) = norm.ppf', (p, expected) => {
    expect(normalQuantile(p)).toBeCloseTo(expected, 10);
  });

  test.each([
    [3.84, 1, 0.05004352124870519],
    [10, 2, 0.006737946999085468],
    [0.5, 3, 0.9188914116546758],
    [25, 4, 5.0309817823062075e-5],
    [100, 10, 5.4497019829205215e-17],
  ])('χ² survival of %p with %p degrees = chi2.sf', (x, degrees, expected) => {
    expect(Math.abs(chiSquareSurvival(x, degrees) - expected) / expected).toBeLessThan(1e-10);
  });
});

describe('comparisons match the formulas computed by hand', () => {
  test('a mean metric: difference, z-interval, p-value and delta-method relative lift', () => {
    // d = mean(t) − mean(c); v = s²ₜ/nₜ + s²꜀/n꜀ (ddof 1); p = 2·norm.sf(|d|/√v)
    const result = compareArms(
      values([0, 1, 0, 2, 1, 0, 3]),
      values([1, 2, 0, 3, 2, 1]),
      settings,
    )!;
    expect(result.absolute.estimate).toBeCloseTo(0.5, 12);
    expect(result.treatment.variance + result.control.variance).toBeCloseTo(0.3738095238095238, 12);
    expect(result.absolute.lower).toBeCloseTo(-0.6983212810000354, 9);
    expect(result.pValue).toBeCloseTo(0.4134738531150939, 9);
    // lift = mₜ/m꜀ − 1; v = vₜ/m꜀² + mₜ²·v꜀/m꜀⁴
    expect(result.relative!.estimate).toBeCloseTo(0.5, 12);
    expect(result.relative!.upper - result.relative!.estimate).toBeCloseTo(1.533168922540431, 9);
    // 0.5 − 1.533 is below −100 %, which no lift of non-negative metrics can reach: clipped.
    expect(result.relative!.lower).toBe(-1);
    // The test the relative interval inverts: 2·norm.sf(0.5 / √v), √v = 1.5332 ÷ z₀.₉₇₅.
    expect(result.relativePValue).toBeCloseTo(0.5227011403824592, 9);
  });

  test('a ratio metric: the linearization gives the delta-method variance of Σa/Σb', () => {
    // var(R) = (s²_a − 2R·s_ab + R²·s²_b) / (n·b̄²), numpy with ddof 1
    const arm = contributions([1, 0, 3, 2, 0], [10, 5, 20, 8, 4]);
    expect(arm.estimate).toBeCloseTo(0.1276595744680851, 14);
    const mean = arm.values.reduce((sum, value) => sum + value, 0) / 5;
    const variance = arm.values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / 4 / 5;
    expect(mean).toBeCloseTo(arm.estimate, 14);
    expect(variance).toBeCloseTo(0.0010764023303982382, 14);
  });

  test('the confidence sequence has the normal-mixture half-width and is wider than fixed', () => {
    // ρ = √((−2 ln α + ln(−2 ln α + 1)) / 5000); hw = √(vN)·√(2(Nρ²+1)/(N²ρ²)·ln(√(Nρ²+1)/α))
    expect(mixtureRho(0.05, 5000)).toBeCloseTo(0.03984006677137368, 14);
    const halfWidth = confidenceSequenceHalfWidth(0.0004, 2000, 0.05, 5000);
    expect(halfWidth).toBeCloseTo(0.062475581833494595, 12);
    expect(halfWidth).toBeGreaterThan(1.959963984540054 * Math.sqrt(0.0004));
  });

  test('CUPED: pooled within-arm θ, adjusted difference and variance', () => {
    // θ = Σ cov within arms / Σ var within arms; y' = y − θ(x − x̄ over both arms)
    const control = {
      ...values([1, 3, 2, 5, 4, 0]),
      covariate: Float64Array.from([1, 2, 2, 4, 3, 1]),
    };
    const treatment = {
      ...values([2, 4, 3, 6, 6, 1, 2]),
      covariate: Float64Array.from([1, 2, 3, 4, 4, 0, 1]),
    };
    const result = compareArms(control, treatment, settings)!;
    expect(result.theta).toBeCloseTo(1.2941822173435784, 12);
    expect(result.absolute.estimate).toBeCloseTo(0.9593852908891325, 12);
    expect(result.treatment.variance + result.control.variance).toBeCloseTo(
      0.13313552907875745,
      12,
    );
    expect(result.varianceReduction).toBeCloseTo(0.8840241613358379, 12);
  });

  test('the sample-ratio test is scipy.stats.chisquare and flags only below 0.001', () => {
    const even = sampleRatioCheck({ a: 5100, b: 4900 }, { a: 0.5, b: 0.5 });
    expect(even.chi_square).toBeCloseTo(4, 12);
    expect(even.p_value).toBeCloseTo(0.04550026389635857, 12);
    expect(even.mismatch).toBe(false);
    const three = sampleRatioCheck({ a: 480, b: 260, c: 260 }, { a: 0.5, b: 0.25, c: 0.25 });
    expect(three.chi_square).toBeCloseTo(1.6, 12);
    expect(three.p_value).toBeCloseTo(0.4493289641172217, 12);
    const skewed = sampleRatioCheck({ a: 5300, b: 4700 }, { a: 0.5, b: 0.5 });
    expect(skewed.mismatch).toBe(true);
  });

  test('a control mean of zero keeps the difference but gives no relative lift', () => {
    const result = compareArms(values([0, 0, 0, 0]), values([0, 1, 0, 1]), settings)!;
    expect(result.absolute.estimate).toBeCloseTo(0.5, 12);
    expect(result.relative).toBeNull();
    expect(result.sequentialRelative).toBeNull();
  });

  test('an arm without a ratio denominator gives no comparison rather than NaN intervals', () => {
    expect(
      compareArms(contributions([0, 0], [0, 0]), contributions([1, 0], [2, 3]), settings),
    ).toBeNull();
  });
});
