import { rocAuc } from './roc-auc';
import { ArrayInputLengthError, ArrayInputValueError } from './validation';

/** Deterministic uniform numbers in [0, 1) (mulberry32), so property checks are repeatable. */
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

test("scikit-learn's documented example gives 0.75", () => {
  expect(rocAuc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])).toBeCloseTo(0.75, 15);
});

test('tied scores count one half per positive-negative pair', () => {
  // Positives at 0.5, 0.9, 0.5; negatives at 0.5, 0.1. Pairs won: each 0.5-positive beats 0.1
  // and ties 0.5 (1.5 each), the 0.9-positive beats both (2): 5 of 6 pairs.
  expect(rocAuc([1, 0, 1, 0, 1], [0.5, 0.5, 0.9, 0.1, 0.5])).toBeCloseTo(5 / 6, 15);
  expect(rocAuc([1, 0, 1, 0], [0.3, 0.3, 0.3, 0.3])).toBe(0.5);
});

test('an integer weight counts like that many copies of the row', () => {
  const labels = [1, 0, 1, 0, 1];
  const scores = [0.5, 0.5, 0.9, 0.1, 0.2];
  const weighted = rocAuc(labels, scores, [2, 1, 1, 3, 1]);
  const copied = rocAuc([1, 1, 0, 1, 0, 0, 0, 1], [0.5, 0.5, 0.5, 0.9, 0.1, 0.1, 0.1, 0.2]);

  // By hand: positive weight 4, negative weight 4; 0.5 (w2) beats 0.1 (w3) and ties 0.5 (w1):
  // 2·(3 + 0.5) = 7; 0.9 beats all: 4; 0.2 beats 0.1: 3. Total 14 of 16.
  expect(weighted).toBeCloseTo(14 / 16, 15);
  expect(copied).toBeCloseTo(weighted, 15);
});

test('zero-weight rows do not count', () => {
  expect(rocAuc([1, 0, 0], [0.9, 0.1, 0.95], [1, 1, 0])).toBe(1);
});

test('only one class present gives NaN', () => {
  expect(rocAuc([1, 1, 1], [0.2, 0.4, 0.1])).toBeNaN();
  expect(rocAuc([0, 0], [0.2, 0.4])).toBeNaN();
  expect(rocAuc([], [])).toBeNaN();
  expect(rocAuc([1, 0], [0.2, 0.4], [1, 0])).toBeNaN();
});

test('AUC is invariant under strictly increasing transforms and flips when scores are negated', () => {
  const uniform = seededUniform(11);
  // 3,000 rows take the radix-sort path; quantized scores produce many ties.
  const labels = Array.from({ length: 3000 }, () => (uniform() < 0.2 ? 1 : 0));
  const scores = labels.map((label) => Math.round((0.6 * uniform() + 0.3 * label) * 50) / 50);
  const auc = rocAuc(labels, scores);

  expect(auc).toBeGreaterThan(0.6);
  expect(
    rocAuc(
      labels,
      scores.map((s) => Math.exp(4 * s) - 7),
    ),
  ).toBeCloseTo(auc, 12);
  expect(
    rocAuc(
      labels,
      scores.map((s) => s * s * s),
    ),
  ).toBeCloseTo(auc, 12);
  expect(
    rocAuc(
      labels,
      scores.map((s) => -s),
    ),
  ).toBeCloseTo(1 - auc, 12);
});

test('typed arrays and plain arrays give the same AUC', () => {
  const labels = [0, 1, 1, 0, 1];
  const scores = [0.25, 0.5, 0.75, 0.5, 0.125];
  expect(rocAuc(Float32Array.from(labels), Float32Array.from(scores))).toBe(rocAuc(labels, scores));
  expect(rocAuc(Uint8Array.from(labels), Float64Array.from(scores))).toBe(rocAuc(labels, scores));
});

test('-0 and +0 are one tied score', () => {
  expect(rocAuc([1, 0], [-0, 0])).toBe(0.5);
});

test('bad input names the argument, the index and the value', () => {
  expect(() => rocAuc([1, 0], [0.2])).toThrow(ArrayInputLengthError);
  expect(() => rocAuc([1, 0], [0.2])).toThrow('rocAuc: scores has 1 entries but labels has 2');
  expect(() => rocAuc([1, 0], [0.2, NaN])).toThrow('rocAuc: scores[1] is NaN');
  expect(() => rocAuc([1, 0], [0.2, Infinity])).toThrow(ArrayInputValueError);
  expect(() => rocAuc([1, 2], [0.2, 0.3])).toThrow('rocAuc: labels[1] is 2; labels must be 0 or 1');
  expect(() => rocAuc([1, 0], [0.2, 0.3], [1, -1])).toThrow('rocAuc: weights[1] is -1');
  expect(() => rocAuc([1, 0], [0.2, 0.3], [1])).toThrow('weights has 1 entries');
});
