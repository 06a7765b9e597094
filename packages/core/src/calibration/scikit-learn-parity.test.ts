import { applyCalibration, calibrationEpsilon } from './calibration-map';
import { fitIsotonicCalibration } from './isotonic';

// Reference: scikit-learn 1.2.1 IsotonicRegression(out_of_bounds='clip') fitted on this
// sample with sample_weight; its X_thresholds_, y_thresholds_ and predict() output were
// computed once and pasted here. The zero-weight row at 0.55 is dropped by both.
const labels = [0, 1, 0, 0, 1, 1, 0, 1, 0, 0, 0, 1, 0, 1, 1, 0, 0, 0, 1, 0];
const scores = [
  0.1, 0.8, 0.3, 0.3, 0.3, 0.65, 0.2, 0.9, 0.65, 0.05, 0.4, 0.4, 0.55, 0.75, 0.3, 0.15, 0.8, 0.5,
  0.6, 0.25,
];
const weights = [1, 2, 1, 0.5, 1, 3, 1, 1, 2, 1, 1, 1, 0, 1, 2, 1, 1, 1, 1, 4];

test('isotonic thresholds and values match scikit-learn up to the eps clipping', () => {
  const map = fitIsotonicCalibration(scores, labels, weights);
  const clip = (value: number) =>
    Math.min(Math.max(value, calibrationEpsilon), 1 - calibrationEpsilon);

  expect(map.thresholds).toEqual([0.05, 0.25, 0.3, 0.5, 0.6, 0.65, 0.75, 0.8, 0.9]);
  const reference = [0, 0, 0.5333333333333333, 0.5333333333333333, 2 / 3, 2 / 3, 0.75, 0.75, 1];
  map.values.forEach((value, i) => expect(value).toBeCloseTo(clip(reference[i]), 14));
});

test.each([
  [0.0, 0.0],
  [0.27, 0.21333333333333357],
  [0.35, 0.5333333333333333],
  [0.62, 0.6666666666666666],
  [0.7, 0.7083333333333333],
  [1.0, 1.0],
])('isotonic prediction at %s matches scikit-learn within the clipping', (score, reference) => {
  const map = fitIsotonicCalibration(scores, labels, weights);
  expect(Math.abs(applyCalibration(map, score) - reference)).toBeLessThanOrEqual(
    calibrationEpsilon + 1e-15,
  );
});
