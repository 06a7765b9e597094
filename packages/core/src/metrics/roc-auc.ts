import { ascendingOrder } from './ordering';
import { validateBinaryInputs } from './validation';

/** Area under the ROC curve of a run of rows, with the class weights it was computed from. */
export interface AucOfRows {
  /** AUC in [0, 1]; NaN when either class has zero total weight. */
  auc: number;
  /** Total weight of the positive rows (their count when unweighted). */
  positiveWeight: number;
  /** Total weight of the negative rows. */
  negativeWeight: number;
}

/**
 * Exact ROC-AUC of `order[start..end)`, which must list rows by ascending score. It is the
 * weighted share of (positive, negative) pairs that the scores put in the right order, a tie
 * counting one half: the Mann-Whitney statistic, equal to the trapezoidal area under the ROC
 * curve with tied scores forming one diagonal step (scikit-learn's `roc_auc_score`).
 */
export function aucOfOrderedRows(
  order: Uint32Array,
  start: number,
  end: number,
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
  weights?: ArrayLike<number>,
): AucOfRows {
  let correctlyOrderedPairs = 0;
  let negativesBelow = 0;
  let positiveWeight = 0;
  let position = start;
  while (position < end) {
    const score = scores[order[position]];
    let tiedPositives = 0;
    let tiedNegatives = 0;
    while (position < end && scores[order[position]] === score) {
      const row = order[position];
      const weight = weights === undefined ? 1 : weights[row];
      if (labels[row] === 1) tiedPositives += weight;
      else tiedNegatives += weight;
      position++;
    }

    // Each positive here beats every negative scored lower and ties with those scored equal.
    correctlyOrderedPairs += tiedPositives * (negativesBelow + 0.5 * tiedNegatives);
    negativesBelow += tiedNegatives;
    positiveWeight += tiedPositives;
  }

  const pairs = positiveWeight * negativesBelow;
  const auc = pairs > 0 ? correctlyOrderedPairs / pairs : Number.NaN;
  return { auc, positiveWeight, negativeWeight: negativesBelow };
}

/**
 * Exact, tie-aware ROC-AUC in O(n log n): the (weighted) probability that a random positive
 * is scored above a random negative, ties counting one half. Matches scikit-learn's
 * `roc_auc_score(labels, scores, sample_weight=weights)`. Scores are any finite numbers
 * (only their order matters); labels are 0/1; weights, when given, are non-negative.
 *
 * @returns the AUC, or NaN when only one class is present (scikit-learn raises instead).
 */
export function rocAuc(
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
  weights?: ArrayLike<number>,
): number {
  const rows = validateBinaryInputs('rocAuc', labels, scores, 'scores', weights);
  return aucOfOrderedRows(ascendingOrder(scores), 0, rows, labels, scores, weights).auc;
}
