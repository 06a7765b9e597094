import { featureIndex } from '../features/feature-spec';
import { TrainingSet } from './training-sets';

/**
 * The honest baselines every model is compared with on the same split: what a team would ship
 * without a model. Both return scores in (0, 1) so they can be calibrated like the model.
 */

/** Names of the baselines in reports. */
export type BaselineName = 'popularity' | 'item_rate';

/**
 * Global popularity: the item's time-decayed clicks before the example, squashed monotonically
 * into (0, 1) by s / (1 + s), which changes no ranking.
 */
export function popularityScores(set: TrainingSet): Float64Array {
  const column = featureIndex('item_popularity');
  const width = set.features.columns;
  const scores = new Float64Array(set.features.rows);
  for (let row = 0; row < scores.length; row++) {
    const popularity = set.features.values[row * width + column];
    scores[row] = Number.isNaN(popularity) ? 0 : popularity / (1 + popularity);
  }
  return scores;
}

/**
 * The item's own rate on the training rows (clicks per impression for pCTR, purchases per click
 * for pCVR), smoothed towards the overall training rate with `priorStrength` pseudo-rows
 * (default 20); items never seen in training get the overall rate.
 */
export function itemRateScores(
  training: TrainingSet,
  target: TrainingSet,
  priorStrength = 20,
): Float64Array {
  const positives = new Map<string, number>();
  const totals = new Map<string, number>();
  let overallPositives = 0;
  for (let row = 0; row < training.labels.length; row++) {
    const item = training.itemIds[row];
    positives.set(item, (positives.get(item) ?? 0) + training.labels[row]);
    totals.set(item, (totals.get(item) ?? 0) + 1);
    overallPositives += training.labels[row];
  }
  const overallRate = overallPositives / Math.max(1, training.labels.length);

  const scores = new Float64Array(target.labels.length);
  for (let row = 0; row < scores.length; row++) {
    const item = target.itemIds[row];
    const itemPositives = positives.get(item) ?? 0;
    const itemTotal = totals.get(item) ?? 0;
    scores[row] = (itemPositives + priorStrength * overallRate) / (itemTotal + priorStrength);
  }
  return scores;
}
