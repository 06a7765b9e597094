import { CalibrationArgumentError } from './errors';

/**
 * Undoes negative downsampling (He et al., "Practical lessons from predicting clicks on ads at
 * Facebook", ADKDD 2014). A model trained on data where negatives were kept with probability
 * w (and all positives kept) over-predicts; the probability on the full population is
 *
 *   q = p / (p + (1 − p) / w).
 *
 * Apply it to the model's raw output before any calibrator fitted on un-sampled data, and not
 * at all when the calibrator was fitted on the downsampled data's predictions against
 * full-population labels (it has absorbed the shift). `negativeKeepRate` is in (0, 1]; 1 is
 * no downsampling.
 */
export function correctNegativeDownsampling(probability: number, negativeKeepRate: number): number {
  const caller = 'correctNegativeDownsampling';
  if (!(probability >= 0 && probability <= 1)) {
    throw new CalibrationArgumentError(
      caller,
      'probability',
      probability,
      'expected a probability in [0, 1]',
    );
  }
  if (!(negativeKeepRate > 0 && negativeKeepRate <= 1)) {
    throw new CalibrationArgumentError(
      caller,
      'negativeKeepRate',
      negativeKeepRate,
      'expected a rate in (0, 1]',
    );
  }
  if (probability === 0) return 0;
  return probability / (probability + (1 - probability) / negativeKeepRate);
}
