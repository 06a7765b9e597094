import { ascendingOrder } from '../metrics/ordering';
import { validateBinaryInputs } from '../metrics/validation';
import { calibrationEpsilon, type IsotonicCalibration } from './calibration-map';
import { CalibrationFitError } from './errors';

/** A run of adjacent distinct scores pooled to one value by pool-adjacent-violators. */
interface Block {
  weight: number;
  positiveWeight: number;
  firstScore: number;
  lastScore: number;
}

/**
 * Isotonic regression of labels on scores by pool-adjacent-violators (weighted), as
 * scikit-learn's `IsotonicRegression(increasing=True, out_of_bounds='clip')` fits it: rows
 * with equal scores are pooled first; rows of zero weight are dropped; each block of the
 * solution keeps its first and last distinct score as thresholds, both carrying the block's
 * mean label, so that the map is flat across a block and linear between blocks. Values are
 * then clipped to [{@link calibrationEpsilon}, 1 − calibrationEpsilon].
 *
 * On its training rows the result minimizes log loss (and Brier score) among all
 * non-decreasing functions of the score, so it is never worse there than the identity; the
 * flip side is that it overfits small samples (see `chooseCalibration`) and, being a step
 * function, creates ties that can move AUC slightly.
 *
 * Interpolation runs between block edges, not block centres: interpolating between centres
 * would tilt the map inside each block, so training rows would no longer get their block's
 * mean and the log-loss optimality above would be lost; scikit-learn does the same.
 *
 * Known shortcoming: values are clipped before interpolating, so between a block clipped to
 * eps and its neighbour the map differs from scikit-learn's (clipped afterwards) by < 1e-6.
 *
 * Throws {@link CalibrationFitError} when no row has positive weight.
 */
export function fitIsotonicCalibration(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  weights?: ArrayLike<number>,
): IsotonicCalibration {
  const caller = 'fitIsotonicCalibration';
  validateBinaryInputs(caller, labels, scores, 'scores', weights);
  const blocks = poolAdjacentViolators(ascendingOrder(scores), scores, labels, weights);
  if (blocks.length === 0) {
    throw new CalibrationFitError(`${caller}: no row with positive weight to fit on`);
  }

  const thresholds: number[] = [];
  const values: number[] = [];
  for (const block of blocks) {
    const value = Math.min(
      Math.max(block.positiveWeight / block.weight, calibrationEpsilon),
      1 - calibrationEpsilon,
    );
    thresholds.push(block.firstScore);
    values.push(value);
    if (block.lastScore !== block.firstScore) {
      thresholds.push(block.lastScore);
      values.push(value);
    }
  }
  return { kind: 'isotonic', thresholds, values };
}

function poolAdjacentViolators(
  order: Uint32Array,
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  weights: ArrayLike<number> | undefined,
): Block[] {
  const blocks: Block[] = [];
  let position = 0;
  while (position < order.length) {
    const score = scores[order[position]];
    const block: Block = { weight: 0, positiveWeight: 0, firstScore: score, lastScore: score };
    while (position < order.length && scores[order[position]] === score) {
      const row = order[position];
      const weight = weights === undefined ? 1 : weights[row];
      block.weight += weight;
      block.positiveWeight += weight * labels[row];
      position++;
    }
    if (block.weight === 0) continue;

    // Pool while the previous block's mean is at least this one's; equal means are pooled too,
    // which leaves fewer thresholds and the same function.
    blocks.push(block);
    while (blocks.length >= 2) {
      const last = blocks[blocks.length - 1];
      const previous = blocks[blocks.length - 2];
      if (previous.positiveWeight * last.weight < last.positiveWeight * previous.weight) break;
      previous.weight += last.weight;
      previous.positiveWeight += last.positiveWeight;
      previous.lastScore = last.lastScore;
      blocks.pop();
    }
  }
  return blocks;
}
