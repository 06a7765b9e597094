import { logLoss } from '../metrics/scoring-rules';
import { ArrayInputLengthError } from '../metrics/validation';
import {
  applyCalibration,
  applyCalibrationToAll,
  calibrationEpsilon,
  calibrationFromJson,
} from './calibration-map';
import { CalibrationFitError } from './errors';
import { fitIsotonicCalibration } from './isotonic';

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

const eps = calibrationEpsilon;

test('pool-adjacent-violators pools decreasing runs and keeps block edges as thresholds', () => {
  // Labels 0 | 1 0 | 1 1 by score: (1, 0) violates and pools to ½; the two 1s pool to 1.
  const map = fitIsotonicCalibration([0.1, 0.2, 0.3, 0.4, 0.5], [0, 1, 0, 1, 1]);
  expect(map).toEqual({
    kind: 'isotonic',
    thresholds: [0.1, 0.2, 0.3, 0.4, 0.5],
    values: [eps, 0.5, 0.5, 1 - eps, 1 - eps],
  });
});

test('the map is flat within a block, linear between blocks and clipped outside', () => {
  const map = fitIsotonicCalibration([0.1, 0.2, 0.3, 0.4, 0.5], [0, 1, 0, 1, 1]);
  expect(applyCalibration(map, 0.25)).toBe(0.5);
  expect(applyCalibration(map, 0.35)).toBeCloseTo(0.5 + 0.5 * (0.5 - eps), 12);
  expect(applyCalibration(map, 0.15)).toBeCloseTo(eps + 0.5 * (0.5 - eps), 12);
  expect(applyCalibration(map, 0)).toBe(eps);
  expect(applyCalibration(map, 1)).toBe(1 - eps);
});

test('rows with equal scores are pooled before fitting, and weights count as copies', () => {
  expect(fitIsotonicCalibration([0.2, 0.6, 0.2], [1, 1, 0])).toEqual({
    kind: 'isotonic',
    thresholds: [0.2, 0.6],
    values: [0.5, 1 - eps],
  });
  // Weight 3 on the negative at 0.2: (1 positive, 3 negatives) → ¼.
  const weighted = fitIsotonicCalibration([0.2, 0.6, 0.2], [1, 1, 0], [1, 1, 3]);
  expect(weighted.values[0]).toBeCloseTo(0.25, 15);
  // A zero-weight row is dropped entirely, threshold included.
  expect(fitIsotonicCalibration([0.1, 0.2, 0.6], [1, 0, 1], [0, 1, 1]).thresholds).toEqual([
    0.2, 0.6,
  ]);
});

test('a single distinct score gives a constant map at the base rate', () => {
  const map = fitIsotonicCalibration([0.3, 0.3, 0.3, 0.3], [1, 0, 0, 0]);
  expect(map).toEqual({ kind: 'isotonic', thresholds: [0.3], values: [0.25] });
  expect(applyCalibration(map, 0.9)).toBe(0.25);
});

test('on its training data the output is monotone and never worse in log loss than the identity', () => {
  const uniform = seededUniform(3);
  for (const distortion of [0.5, 1, 2]) {
    const rows = 5000;
    const scores = new Float64Array(rows);
    const labels = new Float64Array(rows);
    for (let row = 0; row < rows; row++) {
      scores[row] = 0.02 + 0.96 * uniform();
      labels[row] = uniform() < scores[row] ** distortion ? 1 : 0;
    }

    const map = fitIsotonicCalibration(scores, labels);
    const calibrated = applyCalibrationToAll(map, scores);
    const grid = Array.from({ length: 1001 }, (_, i) => i / 1000);
    const onGrid = grid.map((score) => applyCalibration(map, score));
    for (let i = 1; i < onGrid.length; i++) expect(onGrid[i]).toBeGreaterThanOrEqual(onGrid[i - 1]);
    expect(logLoss(labels, calibrated)).toBeLessThanOrEqual(logLoss(labels, scores));
  }
});

test('the fitted map survives a JSON round trip', () => {
  const map = fitIsotonicCalibration([0.1, 0.2, 0.3, 0.4], [0, 1, 0, 1]);
  expect(calibrationFromJson(JSON.parse(JSON.stringify(map)))).toEqual(map);
});

test('fitting needs rows with positive weight and matching lengths', () => {
  expect(() => fitIsotonicCalibration([], [])).toThrow(CalibrationFitError);
  expect(() => fitIsotonicCalibration([0.1], [1], [0])).toThrow('no row with positive weight');
  expect(() => fitIsotonicCalibration([0.1, 0.2], [1])).toThrow(ArrayInputLengthError);
});
