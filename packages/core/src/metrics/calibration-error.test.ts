import {
  calibrationRatio,
  expectedCalibrationError,
  reliabilityDiagram,
} from './calibration-error';
import { MetricOptionError } from './validation';

function seededUniform(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test('ECE is the row-weighted gap between observed rate and mean prediction per bin', () => {
  // Bin [0, ½): mean prediction 0.15, observed ½ → 0.35 · 2/4; bin [½, 1]: 0.8 vs 1 → 0.2 · 2/4.
  const labels = [0, 1, 1, 1];
  const probabilities = [0.1, 0.2, 0.7, 0.9];
  expect(
    expectedCalibrationError(labels, probabilities, { bins: 2, binning: 'equal-width' }),
  ).toBeCloseTo(0.275, 15);
  expect(
    expectedCalibrationError(labels, probabilities, { bins: 2, binning: 'equal-mass' }),
  ).toBeCloseTo(0.275, 15);
});

test('equal-mass bins never split tied predictions', () => {
  // Two bins of two rows were asked for, but three rows share 0.2: the first bin takes all
  // three (observed ⅓ vs 0.2), the second the last row (1 vs 0.6): ECE = ¾·(2/15) + ¼·0.4.
  const diagram = reliabilityDiagram([0, 1, 0, 1], [0.2, 0.2, 0.2, 0.6], { bins: 2 });
  expect(diagram.bins.map((bin) => bin.count)).toEqual([3, 1]);
  expect(diagram.bins[0]).toMatchObject({ lowerBound: 0.2, upperBound: 0.2 });
  expect(diagram.bins[0].observedRate).toBeCloseTo(1 / 3, 15);
  expect(expectedCalibrationError([0, 1, 0, 1], [0.2, 0.2, 0.2, 0.6], { bins: 2 })).toBeCloseTo(
    0.1 + 0.1,
    15,
  );
});

test('the reliability diagram lists non-empty bins with their bounds, in order', () => {
  const diagram = reliabilityDiagram([0, 1, 1], [0.05, 0.95, 1], {
    bins: 10,
    binning: 'equal-width',
  });
  expect(diagram.binning).toBe('equal-width');
  expect(diagram.requestedBins).toBe(10);
  expect(diagram.bins).toHaveLength(2);
  expect(diagram.bins[0]).toEqual({
    lowerBound: 0,
    upperBound: 0.1,
    count: 1,
    meanPrediction: 0.05,
    observedRate: 0,
  });
  // Probability 1 falls in the last, closed bin.
  expect(diagram.bins[1]).toMatchObject({
    lowerBound: 0.9,
    upperBound: 1,
    count: 2,
    observedRate: 1,
  });
  expect(diagram.bins[1].meanPrediction).toBeCloseTo(0.975, 15);
});

test('ECE of a perfectly calibrated sample is near 0 and of a 20 % over-prediction is not', () => {
  const uniform = seededUniform(5);
  const rows = 100_000;
  const probabilities = new Float64Array(rows);
  const labels = new Float64Array(rows);
  for (let row = 0; row < rows; row++) {
    probabilities[row] = 0.01 + 0.3 * uniform();
    labels[row] = uniform() < probabilities[row] ? 1 : 0;
  }
  const inflated = probabilities.map((p) => p * 1.2);

  // Binomial noise alone: about √(2/π · 0.14 · 0.86 · 15 / 100,000) ≈ 0.0035.
  expect(expectedCalibrationError(labels, probabilities)).toBeLessThan(0.006);
  expect(expectedCalibrationError(labels, probabilities, { binning: 'equal-width' })).toBeLessThan(
    0.006,
  );
  // Over-predicting by 20 % of a mean of 0.16 costs about 0.032.
  expect(expectedCalibrationError(labels, inflated)).toBeGreaterThan(0.025);
  expect(calibrationRatio(labels, inflated)).toBeCloseTo(1.2, 1);
});

test('calibration ratio is predicted over observed positives, weighted', () => {
  expect(calibrationRatio([0, 1, 0], [0.2, 0.3, 0.5])).toBeCloseTo(1, 15);
  expect(calibrationRatio([0, 1, 0], [0.2, 0.3, 0.5], [1, 1, 2])).toBeCloseTo(1.5, 15);
  expect(calibrationRatio([0, 0], [0.2, 0.3])).toBeNaN();
});

test('bad bin options are rejected by name', () => {
  expect(() => expectedCalibrationError([1], [0.5], { bins: 0 })).toThrow(MetricOptionError);
  expect(() => expectedCalibrationError([1], [0.5], { bins: 2.5 })).toThrow('bins is 2.5');
  expect(() => expectedCalibrationError([1], [0.5], { binning: 'quantile' as never })).toThrow(
    'binning is quantile',
  );
  expect(expectedCalibrationError([], [])).toBeNaN();
});
