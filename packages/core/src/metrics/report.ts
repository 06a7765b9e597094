import { averagePrecisionOfOrder } from './average-precision';
import {
  calibrationErrorOf,
  calibrationRatio,
  reliabilityDiagramOfOrder,
  type CalibrationBinOptions,
} from './calibration-error';
import { groupAucOfOrder, groupAucWeightings, type GroupAucWeighting } from './group-auc';
import { ascendingOrder } from './ordering';
import { aucOfOrderedRows } from './roc-auc';
import { brierScore, logLoss, normalizedEntropy } from './scoring-rules';
import { MetricOptionError, requireLength, validateBinaryInputs } from './validation';

/**
 * Every headline metric of a binary head (pCTR, pCVR, pCTCVR) on one evaluation set, with the
 * snake_case keys the evaluation report JSON stores. An undefined metric (AUC with one class,
 * GAUC without groups, ...) is `null`, which is also how JSON would have written NaN.
 */
export interface BinaryClassificationReport {
  /** ROC-AUC, see `rocAuc`. */
  auc: number | null;
  /** Average precision, see `prAuc`. */
  pr_auc: number | null;
  /** Log loss in nats, see `logLoss`. */
  logloss: number | null;
  /** Normalized entropy, see `normalizedEntropy`. */
  ne: number | null;
  /** Brier score. */
  brier: number | null;
  /** Group AUC, null when no groups were given or no group has both classes. */
  gauc: number | null;
  /** Weighting of `gauc`; null when no groups were given. */
  gauc_weighting: GroupAucWeighting | null;
  /** Expected calibration error (15 equal-mass bins unless configured). */
  ece: number | null;
  /** Σ predictions / Σ labels. */
  calibration_ratio: number | null;
  /** Rows with label 1. */
  positives: number;
  /** Rows evaluated. */
  rows: number;
}

/** Options of {@link binaryClassificationReport}. */
export interface BinaryClassificationReportOptions {
  /** Weighting of GAUC; default `impressions`. */
  gaucWeighting?: GroupAucWeighting;
  /** Binning of ECE; default 15 equal-mass bins. */
  calibrationBins?: CalibrationBinOptions;
}

function finiteOrNull(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}

/**
 * Computes {@link BinaryClassificationReport} from labels (0/1) and predicted probabilities,
 * with GAUC over `groups` (e.g. user ids per row) when given.
 */
export function binaryClassificationReport(
  labels: ArrayLike<number>,
  probabilities: ArrayLike<number>,
  groups?: ArrayLike<string | number>,
  options: BinaryClassificationReportOptions = {},
): BinaryClassificationReport {
  const caller = 'binaryClassificationReport';
  const rows = validateBinaryInputs(caller, labels, probabilities, 'probabilities');
  if (groups !== undefined) requireLength(caller, 'groups', groups, rows, 'labels');

  const gaucWeighting = options.gaucWeighting ?? 'impressions';
  if (!groupAucWeightings.includes(gaucWeighting)) {
    throw new MetricOptionError(
      caller,
      'gaucWeighting',
      gaucWeighting,
      `expected one of ${groupAucWeightings.join(', ')}`,
    );
  }

  let positives = 0;
  for (let row = 0; row < rows; row++) positives += labels[row];

  // One sort by probability serves AUC, AP, GAUC and the equal-mass bins.
  const order = ascendingOrder(probabilities);
  const grouped =
    groups === undefined
      ? undefined
      : groupAucOfOrder(order, labels, probabilities, groups, gaucWeighting);
  const diagram = reliabilityDiagramOfOrder(
    order,
    labels,
    probabilities,
    options.calibrationBins ?? {},
    caller,
  );

  return {
    auc: finiteOrNull(aucOfOrderedRows(order, 0, rows, labels, probabilities).auc),
    pr_auc: finiteOrNull(averagePrecisionOfOrder(order, labels, probabilities)),
    logloss: finiteOrNull(logLoss(labels, probabilities)),
    ne: finiteOrNull(normalizedEntropy(labels, probabilities)),
    brier: finiteOrNull(brierScore(labels, probabilities)),
    gauc: grouped === undefined ? null : finiteOrNull(grouped.value),
    gauc_weighting: grouped === undefined ? null : grouped.weighting,
    ece: finiteOrNull(calibrationErrorOf(diagram)),
    calibration_ratio: finiteOrNull(calibrationRatio(labels, probabilities)),
    positives,
    rows,
  };
}
