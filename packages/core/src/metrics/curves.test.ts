import { prAuc } from './average-precision';
import { precisionRecallCurve, rocCurve, scoreHistogram, thinnedIndices } from './curves';
import { rocAuc } from './roc-auc';
import { SeededRandom } from '../random';

// The sample of scikit-learn-parity.test.ts. The expected curves were computed once with
// scikit-learn 1.2.1: roc_curve(drop_intermediate=False) and precision_recall_curve, reversed
// to ascending recall.
const labels = [0, 1, 0, 0, 1, 1, 0, 1, 0, 0, 0, 1, 0, 1, 1, 0, 0, 0, 1, 0];
const scores = [
  0.1, 0.8, 0.3, 0.3, 0.3, 0.65, 0.2, 0.9, 0.65, 0.05, 0.4, 0.4, 0.55, 0.75, 0.3, 0.15, 0.8, 0.5,
  0.6, 0.25,
];
const sklearnFpr = [0, 0, 1, 1, 2, 2, 3, 4, 5, 7, 8, 9, 10, 11, 12].map((count) => count / 12);
const sklearnTpr = [0, 1, 2, 3, 4, 5, 5, 5, 6, 8, 8, 8, 8, 8, 8].map((count) => count / 8);
const sklearnPrecision = [
  1,
  1,
  2 / 3,
  3 / 4,
  2 / 3,
  5 / 7,
  5 / 8,
  5 / 9,
  6 / 11,
  8 / 15,
  8 / 16,
  8 / 17,
  8 / 18,
  8 / 19,
  8 / 20,
];

test('the ROC curve matches scikit-learn at every distinct score', () => {
  const curve = rocCurve(labels, scores);

  expect(curve.map((point) => point.fpr)).toEqual(
    sklearnFpr.map((value) => expect.closeTo(value, 12)),
  );
  expect(curve.map((point) => point.tpr)).toEqual(
    sklearnTpr.map((value) => expect.closeTo(value, 12)),
  );
  expect(curve[1].threshold).toBe(0.9);
});

test('the precision-recall curve matches scikit-learn; its step area is average precision', () => {
  const curve = precisionRecallCurve(labels, scores);

  expect(curve.map((point) => point.precision)).toEqual(
    sklearnPrecision.map((value) => expect.closeTo(value, 12)),
  );
  expect(curve.map((point) => point.recall)).toEqual(
    sklearnTpr.map((value) => expect.closeTo(value, 12)),
  );
  let area = 0;
  for (let index = 1; index < curve.length; index++) {
    area += (curve[index].recall - curve[index - 1].recall) * curve[index].precision;
  }
  expect(area).toBeCloseTo(prAuc(labels, scores), 12);
});

describe('on many rows', () => {
  const random = new SeededRandom(7);
  const rows = 20_000;
  const manyLabels = new Float64Array(rows);
  const manyScores = new Float64Array(rows);
  for (let row = 0; row < rows; row++) {
    manyLabels[row] = random.next() < 0.1 ? 1 : 0;
    // Positives score higher on average; rounding makes ties.
    manyScores[row] = Math.round((random.next() + 0.4 * manyLabels[row]) * 1000) / 1400;
  }

  test('curves are thinned to the point budget with their ends kept', () => {
    const roc = rocCurve(manyLabels, manyScores, 200);
    const pr = precisionRecallCurve(manyLabels, manyScores, 200);

    expect(roc.length).toBeLessThanOrEqual(200);
    expect(roc.length).toBeGreaterThan(150);
    expect(roc[0]).toMatchObject({ fpr: 0, tpr: 0 });
    expect(roc[roc.length - 1]).toMatchObject({ fpr: 1, tpr: 1 });
    expect(pr.length).toBeLessThanOrEqual(200);
    expect(pr[pr.length - 1].recall).toBe(1);
  });

  test('the trapezoidal area of the thinned ROC curve stays within 0.002 of the exact AUC', () => {
    const roc = rocCurve(manyLabels, manyScores, 200);
    let area = 0;
    for (let index = 1; index < roc.length; index++) {
      area += ((roc[index].fpr - roc[index - 1].fpr) * (roc[index].tpr + roc[index - 1].tpr)) / 2;
    }

    expect(Math.abs(area - rocAuc(manyLabels, manyScores))).toBeLessThan(0.002);
  });
});

test('a curve of one class is empty, not NaN', () => {
  expect(rocCurve([0, 0, 0], [0.1, 0.2, 0.3])).toEqual([]);
  expect(precisionRecallCurve([0, 0], [0.1, 0.2])).toEqual([]);
  expect(rocCurve([1, 0], [0.5, 0.5])).toEqual([
    { fpr: 0, tpr: 0, threshold: Infinity },
    { fpr: 1, tpr: 1, threshold: 0.5 },
  ]);
});

test('thinning keeps points spread along the length, not the index', () => {
  // 100 points crowded on the first 1 % of the length, then one far point.
  const xs = [...Array.from({ length: 100 }, (_, index) => index / 10_000), 1];
  const kept = thinnedIndices(
    xs.length,
    5,
    (index) => xs[index],
    () => 0,
  );

  expect(kept).toEqual([0, 100]);
  expect(
    thinnedIndices(
      3,
      5,
      () => 0,
      () => 0,
    ),
  ).toEqual([0, 1, 2]);
});

test('the score histogram counts each label per bin up to the largest probability', () => {
  const histogram = scoreHistogram([0, 1, 0, 1, 1], [0, 0.1, 0.1, 0.39, 0.4], 4);

  expect(histogram.map((bin) => bin.upper)).toEqual(
    [0.1, 0.2, 0.3, 0.4].map((value) => expect.closeTo(value, 12)),
  );
  expect(histogram.map((bin) => [bin.negatives, bin.positives])).toEqual([
    [1, 0],
    [1, 1],
    [0, 0],
    [0, 2],
  ]);
  expect(scoreHistogram([], [])).toEqual([]);
  expect(() => scoreHistogram([1], [1.5])).toThrow(/probabilit/);
});
