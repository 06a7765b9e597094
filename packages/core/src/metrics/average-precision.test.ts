import { prAuc } from './average-precision';
import { ArrayInputLengthError } from './validation';

test("scikit-learn's documented example gives 0.8333…", () => {
  // Thresholds 0.8: precision 1, recall ½; 0.4: no new recall; 0.35: precision ⅔, recall 1.
  // AP = ½ · 1 + ½ · ⅔ = 5/6.
  expect(prAuc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])).toBeCloseTo(5 / 6, 15);
});

test('tied scores enter at one threshold, whatever their row order', () => {
  // Threshold 0.5 takes a positive and a negative together: precision ½ at recall ½; then
  // 0.2 adds the second positive: precision ⅔ at recall 1. AP = ¼ + ⅓.
  expect(prAuc([1, 0, 1], [0.5, 0.5, 0.2])).toBeCloseTo(7 / 12, 15);
  expect(prAuc([0, 1, 1], [0.5, 0.5, 0.2])).toBeCloseTo(7 / 12, 15);
});

test('an integer weight counts like that many copies of the row', () => {
  const weighted = prAuc([1, 0, 1, 0], [0.9, 0.8, 0.3, 0.1], [1, 2, 3, 1]);
  const copied = prAuc([1, 0, 0, 1, 1, 1, 0], [0.9, 0.8, 0.8, 0.3, 0.3, 0.3, 0.1]);

  // By hand: 0.9 gives precision 1 at recall ¼; 0.3 gives precision 4/6 at recall 1.
  expect(weighted).toBeCloseTo(0.25 + 0.75 * (4 / 6), 15);
  expect(copied).toBeCloseTo(weighted, 15);
});

test('a perfect ranking scores 1 and a reversed one the mean precision of the positives', () => {
  expect(prAuc([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9])).toBe(1);
  // Reversed: positives at ranks 3 and 4: (⅓ + ½) / 2.
  expect(prAuc([0, 0, 1, 1], [0.9, 0.8, 0.2, 0.1])).toBeCloseTo((1 / 3 + 1 / 2) / 2, 15);
});

test('all positives give 1; no positive gives NaN', () => {
  expect(prAuc([1, 1], [0.2, 0.7])).toBe(1);
  expect(prAuc([0, 0], [0.2, 0.7])).toBeNaN();
  expect(prAuc([1, 0], [0.2, 0.7], [0, 1])).toBeNaN();
});

test('mismatched lengths throw naming the argument', () => {
  expect(() => prAuc([1], [0.1, 0.2])).toThrow(ArrayInputLengthError);
  expect(() => prAuc([1, 0], [0.1, 0.2], [1, 1, 1])).toThrow('prAuc: weights has 3 entries');
});
