import { requireBinaryLabels, validateBinaryInputs } from '../metrics/validation';
import type { CalibrationMap } from './calibration-map';
import { fitIsotonicCalibration } from './isotonic';
import { fitPlattCalibration } from './platt';

/** Fewest rows for which {@link chooseCalibration} picks isotonic regression. */
export const isotonicMinimumRows = 1000;

/** Fewest rows of each class for which {@link chooseCalibration} picks isotonic regression. */
export const isotonicMinimumRowsPerClass = 50;

/** Which calibrator {@link chooseCalibration} fits, and why, for logs and reports. */
export interface CalibrationChoice {
  kind: CalibrationMap['kind'];
  reason: string;
}

/**
 * Decides between isotonic and Platt calibration from the labels alone: isotonic with at least
 * {@link isotonicMinimumRows} rows and {@link isotonicMinimumRowsPerClass} positives and
 * negatives, Platt otherwise. Isotonic regression has as many free values as it has blocks and
 * overfits small samples (scikit-learn advises against it well below ~1,000 rows); with few
 * positives its blocks are mostly empty of them and its steps are noise. Platt has two
 * parameters and is safe there, at the price of assuming a logistic shape.
 */
export function chooseCalibrationKind(labels: ArrayLike<number>): CalibrationChoice {
  requireBinaryLabels('chooseCalibrationKind', 'labels', labels);
  let positives = 0;
  for (let row = 0; row < labels.length; row++) positives += labels[row];
  const negatives = labels.length - positives;
  const counts = `${labels.length} rows, ${positives} positives, ${negatives} negatives`;
  if (
    labels.length >= isotonicMinimumRows &&
    positives >= isotonicMinimumRowsPerClass &&
    negatives >= isotonicMinimumRowsPerClass
  ) {
    return {
      kind: 'isotonic',
      reason: `isotonic: enough data to fit a free monotone map (${counts})`,
    };
  }
  return {
    kind: 'platt',
    reason:
      `platt: isotonic needs >= ${isotonicMinimumRows} rows and >= ${isotonicMinimumRowsPerClass} ` +
      `of each class and would overfit (${counts})`,
  };
}

/**
 * Fits the calibrator {@link chooseCalibrationKind} picks on (raw score, label) pairs, usually
 * the model's predictions on the validation split. Scores are raw probabilities in [0, 1].
 */
export function chooseCalibration(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  weights?: ArrayLike<number>,
): CalibrationMap {
  validateBinaryInputs('chooseCalibration', labels, scores, 'probabilities', weights);
  return chooseCalibrationKind(labels).kind === 'isotonic'
    ? fitIsotonicCalibration(scores, labels, weights)
    : fitPlattCalibration(scores, labels, weights);
}
