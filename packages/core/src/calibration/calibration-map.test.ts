import {
  applyCalibration,
  applyCalibrationToAll,
  calibrationEpsilon,
  calibrationFromJson,
  type CalibrationMap,
} from './calibration-map';
import { CalibrationArgumentError, CalibrationMapFormatError } from './errors';

const isotonic: CalibrationMap = {
  kind: 'isotonic',
  thresholds: [0.2, 0.4, 0.8],
  values: [0.1, 0.3, 0.5],
};

test('Platt maps through the logit: slope 2 squares the odds', () => {
  // p = 0.75 has odds 3; slope 2 gives odds 9, i.e. 0.9.
  expect(applyCalibration({ kind: 'platt', slope: 2, intercept: 0 }, 0.75)).toBeCloseTo(0.9, 14);
  // Intercept ln 2 doubles the odds of ½: ⅔.
  expect(applyCalibration({ kind: 'platt', slope: 1, intercept: Math.LN2 }, 0.5)).toBeCloseTo(
    2 / 3,
    14,
  );
});

test('Platt outputs stay inside [eps, 1 − eps] even for raw 0 and 1', () => {
  const steep: CalibrationMap = { kind: 'platt', slope: 5, intercept: 0 };
  expect(applyCalibration(steep, 0)).toBe(calibrationEpsilon);
  expect(applyCalibration(steep, 1)).toBe(1 - calibrationEpsilon);
});

test('isotonic maps interpolate linearly between thresholds and clip outside them', () => {
  expect(applyCalibration(isotonic, 0.3)).toBeCloseTo(0.2, 15);
  expect(applyCalibration(isotonic, 0.7)).toBeCloseTo(0.45, 15);
  expect(applyCalibration(isotonic, 0.4)).toBe(0.3);
  expect(applyCalibration(isotonic, 0.05)).toBe(0.1);
  expect(applyCalibration(isotonic, 0.95)).toBe(0.5);
});

test('the vectorized form equals the scalar one', () => {
  const raw = Float32Array.from([0, 0.25, 0.5, 0.9]);
  expect(Array.from(applyCalibrationToAll(isotonic, raw))).toEqual(
    Array.from(raw, (p) => applyCalibration(isotonic, p)),
  );
});

test('unusable raw probabilities are rejected with the value', () => {
  expect(() => applyCalibration(isotonic, Number.NaN)).toThrow(CalibrationArgumentError);
  expect(() => applyCalibration({ kind: 'platt', slope: 1, intercept: 0 }, 1.5)).toThrow(
    'applyCalibration: probability is 1.5',
  );
  expect(() => applyCalibrationToAll(isotonic, [0.1, Number.POSITIVE_INFINITY])).toThrow(
    'applyCalibrationToAll: probability is Infinity',
  );
});

test('calibrationFromJson accepts both kinds and copies them', () => {
  expect(calibrationFromJson({ kind: 'platt', slope: 1.2, intercept: -0.3 })).toEqual({
    kind: 'platt',
    slope: 1.2,
    intercept: -0.3,
  });
  expect(calibrationFromJson(JSON.parse(JSON.stringify(isotonic)))).toEqual(isotonic);
});

test.each([
  [null, '(root) is null'],
  [{ kind: 'temperature' }, 'kind is "temperature"'],
  [{ kind: 'platt', slope: '1', intercept: 0 }, 'slope is "1"'],
  [{ kind: 'platt', slope: 1 }, 'intercept is undefined'],
  [{ kind: 'isotonic', thresholds: [], values: [] }, 'thresholds must be a non-empty array'],
  [{ kind: 'isotonic', thresholds: [0.1, 0.2], values: [0.5] }, 'values has 1 entries'],
  [
    { kind: 'isotonic', thresholds: [0.1, 0.1], values: [0.2, 0.3] },
    'thresholds[1] is 0.1, not above',
  ],
  [{ kind: 'isotonic', thresholds: [0.1, 0.2], values: [0.4, 0.3] }, 'values[1] is 0.3, below'],
  [{ kind: 'isotonic', thresholds: [0.1, 0.2], values: [0.4, 1.3] }, 'values[1] is 1.3'],
  [{ kind: 'isotonic', thresholds: [0.1, null], values: [0.4, 0.5] }, 'thresholds[1] is null'],
])('calibrationFromJson rejects %j naming the field', (value, message) => {
  expect(() => calibrationFromJson(value)).toThrow(CalibrationMapFormatError);
  expect(() => calibrationFromJson(value)).toThrow(message);
});
