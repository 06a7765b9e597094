import { chooseCalibration, chooseCalibrationKind, isotonicMinimumRows } from './choose';

function labelsWith(rows: number, positives: number): number[] {
  return Array.from({ length: rows }, (_, row) => (row < positives ? 1 : 0));
}

test('isotonic needs at least 1,000 rows and 50 of each class', () => {
  expect(isotonicMinimumRows).toBe(1000);
  expect(chooseCalibrationKind(labelsWith(1000, 50)).kind).toBe('isotonic');
  expect(chooseCalibrationKind(labelsWith(999, 50)).kind).toBe('platt');
  expect(chooseCalibrationKind(labelsWith(1000, 49)).kind).toBe('platt');
  expect(chooseCalibrationKind(labelsWith(1000, 951)).kind).toBe('platt');
});

test('the reason names the counts it decided on', () => {
  expect(chooseCalibrationKind(labelsWith(200, 7)).reason).toContain(
    '200 rows, 7 positives, 193 negatives',
  );
});

test('chooseCalibration fits the chosen kind', () => {
  const small = labelsWith(100, 10);
  expect(
    chooseCalibration(
      small.map((label, row) => 0.05 + 0.003 * row + 0.1 * label),
      small,
    ).kind,
  ).toBe('platt');
  const large = labelsWith(2000, 100);
  expect(
    chooseCalibration(
      large.map((_, row) => 1 - row / 2000),
      large,
    ).kind,
  ).toBe('isotonic');
});

test('labels other than 0 and 1 are rejected', () => {
  expect(() => chooseCalibrationKind([0, 1, 2])).toThrow('labels[2] is 2');
});
