import { hitRateAtK, mrr, ndcgAtK } from './ranked-lists';
import { ArrayInputValueError, MetricOptionError } from './validation';

test('an ideal ranking has NDCG 1 at every cutoff', () => {
  for (const k of [1, 2, 3, 10]) expect(ndcgAtK([[3, 2, 1, 0, 0]], k).value).toBeCloseTo(1, 15);
});

test('NDCG uses exponential gain and a log2(rank + 1) discount', () => {
  // Relevance [0, 1, 0]: DCG = 1 / log2(3); IDCG = 1.
  expect(ndcgAtK([[0, 1, 0]], 3).value).toBeCloseTo(1 / Math.log2(3), 15);
  // Relevance [1, 3]: DCG = 1 + 7/log2(3); IDCG = 7 + 1/log2(3).
  expect(ndcgAtK([[1, 3]], 2).value).toBeCloseTo(
    (1 + 7 / Math.log2(3)) / (7 + 1 / Math.log2(3)),
    15,
  );
});

test('the cutoff hides relevant items below rank k', () => {
  expect(ndcgAtK([[0, 0, 1]], 2).value).toBe(0);
  expect(ndcgAtK([[0, 0, 1]], 3).value).toBeCloseTo(0.5, 15);
});

test('lists without a relevant item are dropped and counted, and both input forms work', () => {
  const result = ndcgAtK([{ relevance: [0, 1] }, [0, 0, 0], { relevance: [] }, [1, 0]], 10);
  expect(result.listsUsed).toBe(2);
  expect(result.listsWithoutPositives).toBe(2);
  expect(result.value).toBeCloseTo((1 / Math.log2(3) + 1) / 2, 15);
  expect(ndcgAtK([[0, 0]], 5).value).toBeNaN();
});

test('MRR averages the reciprocal rank of the first relevant item', () => {
  const lists = [[0, 1], [2], [0, 0, 0, 1], [0, 0]];
  const result = mrr(lists);
  expect(result.value).toBeCloseTo((1 / 2 + 1 + 1 / 4) / 3, 15);
  expect(result.listsWithoutPositives).toBe(1);
  expect(mrr(lists, 3).value).toBeCloseTo((1 / 2 + 1 + 0) / 3, 15);
});

test('hit rate counts lists with a relevant item in the top k', () => {
  const lists = [[0, 1], [1], [0, 0, 0, 1], [0]];
  expect(hitRateAtK(lists, 1).value).toBeCloseTo(1 / 3, 15);
  expect(hitRateAtK(lists, 2).value).toBeCloseTo(2 / 3, 15);
  expect(hitRateAtK(lists, 4).value).toBe(1);
});

test('negative relevance and bad k are rejected by name', () => {
  expect(() => ndcgAtK([[0, -1]], 3)).toThrow(ArrayInputValueError);
  expect(() => ndcgAtK([[0], [0, -1]], 3)).toThrow('ndcgAtK: lists[1].relevance[1] is -1');
  expect(() => ndcgAtK([[1]], 0)).toThrow(MetricOptionError);
  expect(() => hitRateAtK([[1]], 1.5)).toThrow('hitRateAtK: k is 1.5');
  expect(() => mrr([[1]], 0)).toThrow(MetricOptionError);
});
