import * as os from 'node:os';

import { GbdtParameterError } from './errors';

/**
 * Hyperparameters of gfr's histogram GBDT (binary logistic loss). Names follow the domain; the
 * XGBoost name is given where one exists, so results can be compared with XGBoost `hist`.
 */
export interface GbdtParameters {
  /** Boosting rounds (trees) at most. XGBoost `num_round`. @default 200 */
  rounds: number;
  /** Shrinkage applied to each leaf value. XGBoost `eta`. @default 0.1 */
  learningRate: number;
  /** Maximum tree depth; a depth-1 tree is one split. 1–16. XGBoost `max_depth`. @default 6 */
  maxDepth: number;
  /**
   * Histogram bins per feature, including the one bin kept for missing values, so at most
   * `maxBins - 1` value bins. 2–256. XGBoost `max_bin`. @default 256
   */
  maxBins: number;
  /** L2 penalty on leaf weights. XGBoost `lambda`. @default 1 */
  l2Regularization: number;
  /** Minimum hessian sum in each child of a split. XGBoost `min_child_weight`. @default 1 */
  minChildWeight: number;
  /** Minimum loss reduction for a split. XGBoost `gamma`. @default 0 */
  minSplitGain: number;
  /** Fraction of rows drawn (without replacement, per round). XGBoost `subsample`. @default 1 */
  rowSubsample: number;
  /** Fraction of features drawn per tree. XGBoost `colsample_bytree`. @default 1 */
  columnSubsample: number;
  /**
   * Stop when validation log loss has not improved for this many rounds and keep the best
   * iteration; 0 turns early stopping off. Needs a validation set. @default 20
   */
  earlyStoppingRounds: number;
  /** Seed of the subsampling generator; same seed, same model. @default 42 */
  seed: number;
  /**
   * Threads building histograms (the main thread plus `threads - 1` workers). Results are
   * bit-identical for any value. @default the number of CPU cores, at most 2
   */
  threads: number;
  /**
   * Intercept as a probability in (0, 1). XGBoost `base_score`.
   * @default - the weighted mean of the training labels
   */
  baseScore?: number;
}

/** Default parameters (the `threads` default depends on the machine). */
export const DEFAULT_GBDT_PARAMETERS: Readonly<GbdtParameters> = Object.freeze({
  rounds: 200,
  learningRate: 0.1,
  maxDepth: 6,
  maxBins: 256,
  l2Regularization: 1,
  minChildWeight: 1,
  minSplitGain: 0,
  rowSubsample: 1,
  columnSubsample: 1,
  earlyStoppingRounds: 20,
  seed: 42,
  threads: Math.max(1, Math.min(2, os.availableParallelism?.() ?? os.cpus().length)),
});

/** Largest supported depth: beyond it the per-level histograms no longer fit comfortably. */
export const MAX_TREE_DEPTH = 16;

/** Fills in defaults and checks every parameter's range. */
export function resolveGbdtParameters(given: Partial<GbdtParameters> = {}): GbdtParameters {
  const defined = Object.fromEntries(
    Object.entries(given).filter(([, value]) => value !== undefined),
  ) as Partial<GbdtParameters>;
  const parameters: GbdtParameters = { ...DEFAULT_GBDT_PARAMETERS, ...defined };

  requireInteger(parameters, 'rounds', 1, 1_000_000);
  requireRange(parameters, 'learningRate', 0, Number.MAX_VALUE, false);
  requireInteger(parameters, 'maxDepth', 1, MAX_TREE_DEPTH);
  requireInteger(parameters, 'maxBins', 2, 256);
  requireRange(parameters, 'l2Regularization', 0, Number.MAX_VALUE, true);
  requireRange(parameters, 'minChildWeight', 0, Number.MAX_VALUE, true);
  requireRange(parameters, 'minSplitGain', 0, Number.MAX_VALUE, true);
  requireRange(parameters, 'rowSubsample', 0, 1, false);
  requireRange(parameters, 'columnSubsample', 0, 1, false);
  requireInteger(parameters, 'earlyStoppingRounds', 0, 1_000_000);
  requireInteger(parameters, 'seed', 0, 2 ** 32 - 1);
  requireInteger(parameters, 'threads', 1, 64);
  if (parameters.baseScore !== undefined) {
    const p = parameters.baseScore;
    if (!(p > 0 && p < 1)) {
      throw new GbdtParameterError('baseScore', `must be a probability in (0, 1), got ${p}`);
    }
  }
  return parameters;
}

type NumericKey = Exclude<keyof GbdtParameters, 'baseScore'>;

function requireInteger(p: GbdtParameters, key: NumericKey, min: number, max: number): void {
  const value = p[key];
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new GbdtParameterError(key, `must be an integer in [${min}, ${max}], got ${value}`);
  }
}

function requireRange(
  p: GbdtParameters,
  key: NumericKey,
  min: number,
  max: number,
  minInclusive: boolean,
): void {
  const value = p[key];
  const aboveMin = minInclusive ? value >= min : value > min;
  if (typeof value !== 'number' || !aboveMin || !(value <= max) || Number.isNaN(value)) {
    const lower = `${minInclusive ? '>=' : '>'} ${min}`;
    const bound = max === Number.MAX_VALUE ? `finite and ${lower}` : `${lower} and <= ${max}`;
    throw new GbdtParameterError(key, `must be ${bound}, got ${value}`);
  }
}
