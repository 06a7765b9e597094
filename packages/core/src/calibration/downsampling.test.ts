import { correctNegativeDownsampling } from './downsampling';
import { CalibrationArgumentError } from './errors';

test('a keep rate of one tenth turns ½ into 1/11', () => {
  // q = 0.5 / (0.5 + 0.5 / 0.1) = 0.5 / 5.5.
  expect(correctNegativeDownsampling(0.5, 0.1)).toBeCloseTo(1 / 11, 15);
});

test('it inverts the rate that downsampling produces', () => {
  // A population CTR of 2 % with negatives kept at 10 % shows 0.02 / (0.02 + 0.98 · 0.1).
  const sampledRate = 0.02 / (0.02 + 0.98 * 0.1);
  expect(correctNegativeDownsampling(sampledRate, 0.1)).toBeCloseTo(0.02, 15);
});

test('no downsampling and the extremes are left as they are', () => {
  expect(correctNegativeDownsampling(0.37, 1)).toBeCloseTo(0.37, 15);
  expect(correctNegativeDownsampling(0, 0.2)).toBe(0);
  expect(correctNegativeDownsampling(1, 0.2)).toBe(1);
});

test('out-of-range arguments are rejected by name', () => {
  expect(() => correctNegativeDownsampling(0.5, 0)).toThrow(CalibrationArgumentError);
  expect(() => correctNegativeDownsampling(0.5, 1.5)).toThrow('negativeKeepRate is 1.5');
  expect(() => correctNegativeDownsampling(Number.NaN, 0.5)).toThrow('probability is NaN');
});
