import { MetricOptionError, validateBinaryInputs } from './validation';

/**
 * Default clipping of probabilities before taking logarithms: p is used as
 * min(max(p, eps), 1 − eps). 1e-15 is scikit-learn's long-standing `log_loss` default (newer
 * releases use the float64 machine epsilon, 2.2e-16, which differs only for predictions within
 * 1e-15 of 0 or 1). A confident wrong prediction therefore costs at most −ln(1e-15) ≈ 34.5
 * nats instead of an infinite loss.
 */
export const logLossEpsilon = 1e-15;

/** Options of {@link logLoss} and {@link normalizedEntropy}. */
export interface LogLossOptions {
  /** Clipping distance from 0 and 1, in (0, 0.5); default {@link logLossEpsilon}. */
  eps?: number;
}

function clipDistance(caller: string, options: LogLossOptions | undefined): number {
  const eps = options?.eps ?? logLossEpsilon;
  if (!(eps > 0 && eps < 0.5)) {
    throw new MetricOptionError(caller, 'eps', eps, 'expected a number in (0, 0.5)');
  }
  return eps;
}

interface CrossEntropySums {
  crossEntropy: number;
  positiveWeight: number;
  totalWeight: number;
}

function crossEntropySums(
  labels: ArrayLike<number>,
  probabilities: ArrayLike<number>,
  weights: ArrayLike<number> | undefined,
  eps: number,
): CrossEntropySums {
  let crossEntropy = 0;
  let positiveWeight = 0;
  let totalWeight = 0;
  for (let row = 0; row < labels.length; row++) {
    const weight = weights === undefined ? 1 : weights[row];
    const probability = Math.min(Math.max(probabilities[row], eps), 1 - eps);
    if (labels[row] === 1) {
      crossEntropy -= weight * Math.log(probability);
      positiveWeight += weight;
    } else {
      // log1p keeps precision for the small probabilities typical of CTR.
      crossEntropy -= weight * Math.log1p(-probability);
    }
    totalWeight += weight;
  }
  return { crossEntropy, positiveWeight, totalWeight };
}

/**
 * Mean binary cross-entropy in nats, −Σ w·[y·ln p + (1 − y)·ln(1 − p)] / Σ w, with p clipped
 * to [eps, 1 − eps] (see {@link logLossEpsilon}). Matches scikit-learn's `log_loss`.
 *
 * @returns the log loss, or NaN for no rows / zero total weight.
 */
export function logLoss(
  labels: ArrayLike<number>,
  probabilities: ArrayLike<number>,
  weights?: ArrayLike<number>,
  options?: LogLossOptions,
): number {
  validateBinaryInputs('logLoss', labels, probabilities, 'probabilities', weights);
  const eps = clipDistance('logLoss', options);
  const sums = crossEntropySums(labels, probabilities, weights, eps);
  return sums.totalWeight > 0 ? sums.crossEntropy / sums.totalWeight : Number.NaN;
}

/** Binary entropy in nats of a base rate in [0, 1]; 0 at 0 and 1. */
export function binaryEntropy(rate: number): number {
  if (rate <= 0 || rate >= 1) return 0;
  return -(rate * Math.log(rate) + (1 - rate) * Math.log1p(-rate));
}

/**
 * Normalized entropy (He et al. 2014; TorchRec `ne`): log loss divided by the entropy of the
 * observed base rate, i.e. the log loss of always predicting that rate. Below 1 the model beats
 * the constant predictor; NE is comparable across data sets with different base rates.
 *
 * @returns NE, or NaN when all rows have one label (the base rate's entropy is 0).
 */
export function normalizedEntropy(
  labels: ArrayLike<number>,
  probabilities: ArrayLike<number>,
  weights?: ArrayLike<number>,
  options?: LogLossOptions,
): number {
  validateBinaryInputs('normalizedEntropy', labels, probabilities, 'probabilities', weights);
  const eps = clipDistance('normalizedEntropy', options);
  const sums = crossEntropySums(labels, probabilities, weights, eps);
  if (!(sums.totalWeight > 0)) return Number.NaN;

  const baseRateEntropy = binaryEntropy(sums.positiveWeight / sums.totalWeight);
  return baseRateEntropy > 0 ? sums.crossEntropy / sums.totalWeight / baseRateEntropy : Number.NaN;
}

/**
 * Brier score: the (weighted) mean squared difference between probability and label, in
 * [0, 1], lower is better. Matches scikit-learn's `brier_score_loss`.
 *
 * @returns the score, or NaN for no rows / zero total weight.
 */
export function brierScore(
  labels: ArrayLike<number>,
  probabilities: ArrayLike<number>,
  weights?: ArrayLike<number>,
): number {
  const rows = validateBinaryInputs('brierScore', labels, probabilities, 'probabilities', weights);
  let squaredError = 0;
  let totalWeight = 0;
  for (let row = 0; row < rows; row++) {
    const weight = weights === undefined ? 1 : weights[row];
    const difference = probabilities[row] - labels[row];
    squaredError += weight * difference * difference;
    totalWeight += weight;
  }
  return totalWeight > 0 ? squaredError / totalWeight : Number.NaN;
}
