import { ascendingOrder } from './ordering';
import { validateBinaryInputs } from './validation';

/**
 * Area under the precision-recall curve as average precision, exactly as scikit-learn's
 * `average_precision_score` defines it:
 *
 *   AP = Σ_t (R_t − R_{t−1}) · P_t
 *
 * over the distinct score thresholds t in descending order, where P_t and R_t are the
 * (weighted) precision and recall of "score ≥ t", and R_0 = 0. Rows with tied scores enter at
 * the same threshold, so their order never matters. It is a step-wise sum, not the trapezoidal
 * area, which overstates precision between thresholds (Davis and Goadrich 2006).
 *
 * PR-AUC is worth reporting beside ROC-AUC at conversion-scale base rates, where ROC-AUC hides
 * how many false positives come with each true positive. A random scorer's AP is about the
 * base rate, not 0.5.
 *
 * @returns AP in [0, 1]; 1 when every row is positive; NaN when there is no positive (recall is
 *   undefined; scikit-learn warns and returns 0).
 */
export function prAuc(
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
  weights?: ArrayLike<number>,
): number {
  validateBinaryInputs('prAuc', labels, scores, 'scores', weights);
  return averagePrecisionOfOrder(ascendingOrder(scores), labels, scores, weights);
}

/** {@link prAuc} of validated inputs, given the rows in ascending score order. */
export function averagePrecisionOfOrder(
  order: Uint32Array,
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
  weights?: ArrayLike<number>,
): number {
  const rows = order.length;
  let positiveWeight = 0;
  for (let row = 0; row < rows; row++) {
    if (labels[row] === 1) positiveWeight += weights === undefined ? 1 : weights[row];
  }
  if (!(positiveWeight > 0)) return Number.NaN;

  let truePositives = 0;
  let falsePositives = 0;
  let previousRecall = 0;
  let averagePrecision = 0;
  let position = rows - 1;
  while (position >= 0) {
    const score = scores[order[position]];
    while (position >= 0 && scores[order[position]] === score) {
      const row = order[position];
      const weight = weights === undefined ? 1 : weights[row];
      if (labels[row] === 1) truePositives += weight;
      else falsePositives += weight;
      position--;
    }

    const recall = truePositives / positiveWeight;
    // A threshold that adds no positive weight adds no recall and so nothing to the sum.
    if (recall > previousRecall) {
      averagePrecision +=
        (recall - previousRecall) * (truePositives / (truePositives + falsePositives));
      previousRecall = recall;
    }
  }
  return averagePrecision;
}
