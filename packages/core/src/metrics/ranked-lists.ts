import { ArrayInputValueError, MetricOptionError, requireIntegerOption } from './validation';

/**
 * One ranked list: the graded relevance of each shown item in ranked order (first = top),
 * e.g. 0 not clicked, 1 click, 2 add to cart, 3 purchase. Either the bare array or an object
 * holding it.
 */
export type RankedList = ArrayLike<number> | { relevance: ArrayLike<number> };

/** Mean of a per-list metric, with the lists it could not score counted, not hidden. */
export interface RankedListMetric {
  /** Mean over the lists with at least one relevant item; NaN when there is none. */
  value: number;
  /** Lists that entered the mean. */
  listsUsed: number;
  /**
   * Lists whose items all have relevance 0, dropped because every ranking of them is equally
   * good (XGBoost's `ndcg-` / `ndcg` variants would score them 0 or 1 instead).
   */
  listsWithoutPositives: number;
}

function relevanceOf(list: RankedList): ArrayLike<number> {
  return 'relevance' in list ? list.relevance : list;
}

function validatedRelevances(caller: string, lists: readonly RankedList[]): ArrayLike<number>[] {
  return lists.map((list, listIndex) => {
    if (typeof list !== 'object' || list === null) {
      throw new MetricOptionError(
        caller,
        `lists[${listIndex}]`,
        list,
        'expected an array of relevances',
      );
    }

    const relevance = relevanceOf(list);
    for (let i = 0; i < relevance.length; i++) {
      const value = relevance[i];
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
        throw new ArrayInputValueError(
          caller,
          `lists[${listIndex}].relevance`,
          i,
          value,
          'relevance must be a finite number >= 0',
        );
      }
    }
    return relevance;
  });
}

function meanOverListsWithPositives(
  relevances: ArrayLike<number>[],
  scoreList: (relevance: ArrayLike<number>) => number,
): RankedListMetric {
  let sum = 0;
  let listsUsed = 0;
  for (const relevance of relevances) {
    if (!Array.prototype.some.call(relevance, (value: number) => value > 0)) continue;
    sum += scoreList(relevance);
    listsUsed++;
  }
  return {
    value: listsUsed > 0 ? sum / listsUsed : Number.NaN,
    listsUsed,
    listsWithoutPositives: relevances.length - listsUsed,
  };
}

function discountedCumulativeGain(relevance: ArrayLike<number>, k: number): number {
  let gain = 0;
  const depth = Math.min(k, relevance.length);
  // Rank i (1-based) is discounted by log2(i + 1); position is i − 1.
  for (let position = 0; position < depth; position++) {
    gain += (2 ** relevance[position] - 1) / Math.log2(position + 2);
  }
  return gain;
}

/**
 * Mean NDCG@k = DCG@k / IDCG@k with DCG@k = Σ_{i=1..k} (2^rel_i − 1) / log2(i + 1) (the
 * exponential gain of Burges et al., also TorchRec's and XGBoost's) and IDCG@k the DCG@k of the
 * same list sorted by relevance. The ideal list is built from the items shown, so lists shorter
 * than k are not penalized for their length. Lists without a relevant item are dropped and
 * counted in `listsWithoutPositives`. scikit-learn's `ndcg_score` uses the linear gain rel_i
 * instead; for 0/1 relevance both agree, and for graded relevance it agrees when given
 * 2^rel − 1 as its relevance.
 */
export function ndcgAtK(lists: readonly RankedList[], k: number): RankedListMetric {
  requireIntegerOption('ndcgAtK', 'k', k, 1);
  const relevances = validatedRelevances('ndcgAtK', lists);
  return meanOverListsWithPositives(relevances, (relevance) => {
    const ideal = Float64Array.from(relevance).sort().reverse();
    return discountedCumulativeGain(relevance, k) / discountedCumulativeGain(ideal, k);
  });
}

/**
 * Mean reciprocal rank: 1 / (1-based rank of the first item with relevance > 0), averaged over
 * lists with such an item. With `k`, a first relevant item below rank k scores 0 (MRR@k);
 * default: no cutoff.
 */
export function mrr(
  lists: readonly RankedList[],
  k: number = Number.POSITIVE_INFINITY,
): RankedListMetric {
  if (k !== Number.POSITIVE_INFINITY) requireIntegerOption('mrr', 'k', k, 1);
  const relevances = validatedRelevances('mrr', lists);
  return meanOverListsWithPositives(relevances, (relevance) => {
    const depth = Math.min(k, relevance.length);
    for (let position = 0; position < depth; position++) {
      if (relevance[position] > 0) return 1 / (position + 1);
    }
    return 0;
  });
}

/** Share of lists (with a relevant item at all) that have a relevant item in the top k. */
export function hitRateAtK(lists: readonly RankedList[], k: number): RankedListMetric {
  requireIntegerOption('hitRateAtK', 'k', k, 1);
  const relevances = validatedRelevances('hitRateAtK', lists);
  return meanOverListsWithPositives(relevances, (relevance) => {
    const depth = Math.min(k, relevance.length);
    for (let position = 0; position < depth; position++) {
      if (relevance[position] > 0) return 1;
    }
    return 0;
  });
}
