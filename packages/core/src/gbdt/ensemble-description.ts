/**
 * The in-memory form of a binary tree ensemble, field for field what XGBoost's `gbtree` model
 * stores. The trainer builds it, the XGBoost document reader (JSON today, UBJSON later) fills
 * it, and {@link TreeEnsemble} scores from it.
 */

/** Objectives gfr scores: logistic link (`binary:logistic`, `reg:logistic`) or raw margin. */
export type SupportedObjective = 'binary:logistic' | 'reg:logistic' | 'binary:logitraw';

/** The objectives {@link SupportedObjective} lists, for validation. */
export const SUPPORTED_OBJECTIVES: readonly SupportedObjective[] = [
  'binary:logistic',
  'reg:logistic',
  'binary:logitraw',
];

/** One regression tree in XGBoost's array layout (node id = array index, root 0). */
export interface RegressionTree {
  /** Left child id, -1 for a leaf. */
  leftChildren: Int32Array;
  rightChildren: Int32Array;
  /** Parent id; XGBoost writes 2147483647 for the root. */
  parents: Int32Array;
  /** Feature tested by an internal node (0 for leaves). */
  splitIndices: Int32Array;
  /** Float32 threshold of an internal node; float32 leaf value (learning rate applied) of a leaf. */
  splitConditions: Float32Array;
  /** 1 when a missing value goes left. */
  defaultLeft: Uint8Array;
  /** Leaf weight before the learning rate, for every node (statistics only). */
  baseWeights: Float32Array;
  /** Gain of each internal node's split (statistics only). */
  lossChanges: Float32Array;
  /** Hessian sum ("cover") of each node (statistics only). */
  sumHessian: Float32Array;
  /** Nodes left in the arrays by XGBoost's pruner, unreachable from the root. */
  numDeleted: number;
}

/** A whole single-output binary ensemble. */
export interface EnsembleDescription {
  objective: SupportedObjective;
  /** Intercept as stored: a probability for logistic objectives, a margin for logitraw. */
  baseScore: number;
  /** Row width; every split index is below it. */
  numFeature: number;
  /** Column names in model order (may be empty when the model carries none). */
  featureNames: string[];
  /** XGBoost feature types (`float`, `int`, `i`, `q`); categorical types are refused. */
  featureTypes: string[];
  /** Learner attributes (string map), e.g. `best_iteration`. */
  attributes: Record<string, string>;
  trees: RegressionTree[];
  /** False when the document lacked `loss_changes` / `sum_hessian` (importance unavailable). */
  hasStatistics: boolean;
}
