import {
  binaryEntropy,
  brierScore,
  logLoss,
  logLossEpsilon,
  normalizedEntropy,
} from './scoring-rules';
import { ArrayInputValueError, MetricOptionError } from './validation';

test('log loss is the mean negative log-likelihood in nats', () => {
  // −(ln 0.8 + ln 0.7) / 2 = (0.2231435513 + 0.3566749439) / 2.
  expect(logLoss([1, 0], [0.8, 0.3])).toBeCloseTo(0.2899092476, 9);
});

test('log loss weights rows by their weight', () => {
  // (1 · −ln 0.8 + 3 · −ln 0.7) / 4.
  expect(logLoss([1, 0], [0.8, 0.3], [1, 3])).toBeCloseTo((0.2231435513 + 3 * 0.3566749439) / 4, 9);
});

test('log loss clips certain wrong predictions at eps instead of going infinite', () => {
  expect(logLossEpsilon).toBe(1e-15);
  expect(logLoss([1], [0])).toBeCloseTo(-Math.log(1e-15), 9); // 34.538776
  // 1 − 1e-15 rounds to 1 − 1.11e-15 in float64, as in scikit-learn: −ln(1.11e-15) = 34.5396.
  expect(logLoss([0], [1])).toBeCloseTo(34.539576, 6);
  expect(logLoss([1], [0], undefined, { eps: 1e-7 })).toBeCloseTo(16.118095651, 9);
  expect(logLoss([1, 0], [1, 0])).toBeLessThan(1e-14);
});

test('probabilities outside [0, 1] and bad eps are rejected', () => {
  expect(() => logLoss([1, 0], [1.2, 0.1])).toThrow(ArrayInputValueError);
  expect(() => logLoss([1, 0], [1.2, 0.1])).toThrow('logLoss: probabilities[0] is 1.2');
  expect(() => logLoss([1, 0], [0.9, -0.1])).toThrow('probabilities[1] is -0.1');
  expect(() => logLoss([1], [0.5], undefined, { eps: 0 })).toThrow(MetricOptionError);
});

test('normalized entropy is 1 for the constant predictor at the base rate', () => {
  const labels = [1, 0, 0, 0];
  expect(normalizedEntropy(labels, [0.25, 0.25, 0.25, 0.25])).toBeCloseTo(1, 14);
  // ln 2 = 0.693147 is the entropy of rate ½; log loss of perfect-ish 0.9/0.1 is −ln 0.9.
  expect(normalizedEntropy([1, 0], [0.9, 0.1])).toBeCloseTo(-Math.log(0.9) / Math.LN2, 14);
});

test('normalized entropy is NaN when every label is the same', () => {
  expect(normalizedEntropy([0, 0], [0.1, 0.2])).toBeNaN();
  expect(binaryEntropy(0)).toBe(0);
  expect(binaryEntropy(0.5)).toBeCloseTo(Math.LN2, 15);
});

test('Brier score is the mean squared error of the probability', () => {
  // ((0.8 − 1)² + (0.3 − 0)²) / 2 = (0.04 + 0.09) / 2.
  expect(brierScore([1, 0], [0.8, 0.3])).toBeCloseTo(0.065, 15);
  expect(brierScore([1, 0], [0.8, 0.3], [3, 1])).toBeCloseTo((3 * 0.04 + 0.09) / 4, 15);
  expect(brierScore([], [])).toBeNaN();
});
