import { ArrayInputValueError } from '../metrics/validation';
import { applyCalibration, clippedLogit, sigmoid } from './calibration-map';
import { CalibrationFitError } from './errors';
import { fitPlattCalibration } from './platt';

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

function sampleLogisticModel(slope: number, intercept: number, rows: number, seed: number) {
  const uniform = seededUniform(seed);
  const scores = new Float64Array(rows);
  const labels = new Float64Array(rows);
  for (let row = 0; row < rows; row++) {
    scores[row] = 0.02 + 0.96 * uniform();
    labels[row] = uniform() < sigmoid(slope * clippedLogit(scores[row]) + intercept) ? 1 : 0;
  }
  return { scores, labels };
}

test('Platt recovers the slope and intercept of a known logistic model', () => {
  // Standard errors at 50,000 rows are below 0.01; the tolerance allows about five.
  for (const [slope, intercept] of [
    [1.7, -0.8],
    [0.6, 0.4],
  ]) {
    const { scores, labels } = sampleLogisticModel(slope, intercept, 50_000, 17);
    const map = fitPlattCalibration(scores, labels);
    expect(map.kind).toBe('platt');
    expect(Math.abs(map.slope - slope)).toBeLessThan(0.05);
    expect(Math.abs(map.intercept - intercept)).toBeLessThan(0.05);
  }
});

test('already calibrated scores give nearly the identity map', () => {
  const { scores, labels } = sampleLogisticModel(1, 0, 50_000, 23);
  const map = fitPlattCalibration(scores, labels);
  expect(map.slope).toBeCloseTo(1, 1);
  expect(map.intercept).toBeCloseTo(0, 1);
  expect(applyCalibration(map, 0.3)).toBeCloseTo(0.3, 1);
});

test("constant scores predict the mean of Platt's smoothed targets", () => {
  // One positive (target 2/3) and three negatives (target 1/5): mean (2/3 + 3/5) / 4.
  const map = fitPlattCalibration([0.5, 0.5, 0.5, 0.5], [1, 0, 0, 0]);
  expect(applyCalibration(map, 0.5)).toBeCloseTo((2 / 3 + 3 / 5) / 4, 8);
});

test('separable classes still give finite parameters thanks to target smoothing', () => {
  const map = fitPlattCalibration([0.1, 0.2, 0.3, 0.7, 0.8, 0.9], [0, 0, 0, 1, 1, 1]);
  expect(Number.isFinite(map.slope) && Number.isFinite(map.intercept)).toBe(true);
  expect(map.slope).toBeGreaterThan(0);
  // Smoothed targets are 4/5 and 1/5, so no prediction is pushed to 0 or 1.
  expect(applyCalibration(map, 0.9)).toBeLessThan(0.95);
  expect(applyCalibration(map, 0.1)).toBeGreaterThan(0.05);
});

test('one class only is fitted towards its smoothed target instead of failing', () => {
  const map = fitPlattCalibration([0.1, 0.4, 0.6], [0, 0, 0]);
  // Every target is 1/(3 + 2): the optimum is the constant ⅕.
  expect(applyCalibration(map, 0.4)).toBeCloseTo(0.2, 6);
  expect(applyCalibration(map, 0.1)).toBeCloseTo(0.2, 6);
});

test('weights scale each row in the loss: uniform weights change nothing, uneven ones do', () => {
  const scores = [0.2, 0.4, 0.6, 0.8, 0.3];
  const labels = [0, 1, 0, 1, 1];
  const unweighted = fitPlattCalibration(scores, labels);
  const doubled = fitPlattCalibration(scores, labels, [2, 2, 2, 2, 2]);
  const uneven = fitPlattCalibration(scores, labels, [1, 1, 4, 1, 1]);

  expect(doubled.slope).toBeCloseTo(unweighted.slope, 8);
  expect(doubled.intercept).toBeCloseTo(unweighted.intercept, 8);
  // More weight on the negative at 0.6 pulls the predictions there down.
  expect(applyCalibration(uneven, 0.6)).toBeLessThan(applyCalibration(unweighted, 0.6) - 0.05);
});

test('scores must be probabilities and some row must have weight', () => {
  expect(() => fitPlattCalibration([0.2, 1.5], [0, 1])).toThrow(ArrayInputValueError);
  expect(() => fitPlattCalibration([0.2, 1.5], [0, 1])).toThrow('probabilities[1] is 1.5');
  expect(() => fitPlattCalibration([0.2], [1], [0])).toThrow(CalibrationFitError);
});
