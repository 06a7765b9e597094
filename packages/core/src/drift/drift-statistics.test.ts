import { summarizeFeatureDistributions } from './feature-distribution';
import {
  binLabels,
  featureDrift,
  jensenShannonDistance,
  populationStabilityIndex,
  shareFloor,
} from './drift-statistics';
import { featureNames } from '../features/feature-spec';

test('PSI matches the value computed by hand and is zero for identical shares', () => {
  // (0.25 − 0.5)·ln(0.25/0.5) + (0.75 − 0.5)·ln(0.75/0.5)
  const byHand = -0.25 * Math.log(0.5) + 0.25 * Math.log(1.5);
  expect(populationStabilityIndex([0.5, 0.5], [0.25, 0.75])).toBeCloseTo(byHand, 12);
  expect(byHand).toBeCloseTo(0.27465, 5);
  expect(populationStabilityIndex([0.2, 0.3, 0.5], [0.2, 0.3, 0.5])).toBe(0);
});

test('PSI floors empty bins instead of dividing by zero', () => {
  const floored = (shareFloor - 0.5) * Math.log(shareFloor / 0.5) + 0.5 * Math.log(1 / 0.5);
  expect(populationStabilityIndex([0.5, 0.5], [0, 1])).toBeCloseTo(floored, 12);
});

test('Jensen–Shannon distance matches the value computed by hand and spans 0 to 1', () => {
  // M = [0.375, 0.625]; KL(p‖M) = 0.046557, KL(q‖M) = 0.051031 (base 2); JSD = 0.048794.
  expect(jensenShannonDistance([0.5, 0.5], [0.25, 0.75])).toBeCloseTo(Math.sqrt(0.048794), 5);
  expect(jensenShannonDistance([0.3, 0.7], [0.3, 0.7])).toBe(0);
  expect(jensenShannonDistance([1, 0], [0, 1])).toBeCloseTo(1, 12);
});

function trainingMatrix(rows: number, shift = 0) {
  const columns = featureNames.length;
  const values = new Float32Array(rows * columns);
  for (let row = 0; row < rows; row++) {
    for (let column = 0; column < columns; column++) {
      // A smooth spread of values per column, with every fifth value of column 1 missing.
      const value = ((row * 7919) % 1000) / 1000 + (column === 0 ? shift : 0);
      values[row * columns + column] = column === 1 && row % 5 === 0 ? NaN : value;
    }
  }
  return { values, rows, columns };
}

test('a shifted feature drifts, an unchanged one does not, and a tiny window never alarms', () => {
  const [reference, referenceWithMissing] = summarizeFeatureDistributions(trainingMatrix(5000));
  const current = trainingMatrix(1000, 0.5);
  const column = (matrix: ReturnType<typeof trainingMatrix>, index: number) =>
    Array.from({ length: matrix.rows }, (_, row) => matrix.values[row * matrix.columns + index]);

  const shifted = featureDrift(reference, column(current, 0));
  const unchanged = featureDrift(referenceWithMissing, column(trainingMatrix(1000), 1));
  const tiny = featureDrift(reference, column(current, 0).slice(0, 20));

  expect(shifted.drifted).toBe(true);
  expect(shifted.psi).toBeGreaterThan(1);
  expect(unchanged.drifted).toBe(false);
  expect(unchanged.psi).toBeLessThan(0.01);
  expect(unchanged.missing_share_current).toBeCloseTo(0.2, 10);
  expect(tiny).toMatchObject({ judged: false, drifted: false, rows: 20 });
});

test('a feature that goes missing drifts through its missing bin', () => {
  const [reference] = summarizeFeatureDistributions(trainingMatrix(5000));
  const drift = featureDrift(reference, new Array(500).fill(NaN));
  expect(drift.missing_share_current).toBe(1);
  expect(drift.drifted).toBe(true);
});

test('bin labels name each decile interval, categorical codes and the missing bin last', () => {
  const numeric = {
    name: 'price',
    kind: 'numeric' as const,
    rows: 10,
    missingShare: 0,
    mean: 2,
    standardDeviation: 1,
    edges: [1, 4.123456],
    shares: [0.2, 0.5, 0.3],
  };
  expect(binLabels(numeric)).toEqual(['< 1', '[1, 4.12)', '≥ 4.12', 'missing']);
  expect(binLabels({ ...numeric, kind: 'categorical', edges: [3, 7], shares: [0.5, 0.5] })).toEqual(
    ['code 3', 'code 7', 'missing'],
  );
  expect(binLabels({ ...numeric, edges: [], shares: [1] })).toEqual(['all', 'missing']);
});
