/** Evaluation metrics of binary heads and ranked lists, checked against scikit-learn's. */
export { ArrayInputLengthError, ArrayInputValueError, MetricOptionError } from './validation';
export { rocAuc } from './roc-auc';
export { prAuc } from './average-precision';
export * from './scoring-rules';
export { groupAuc, groupAucWeightings } from './group-auc';
export type { GroupAucResult, GroupAucWeighting } from './group-auc';
export {
  calibrationBinnings,
  calibrationRatio,
  expectedCalibrationError,
  reliabilityDiagram,
} from './calibration-error';
export type {
  CalibrationBinning,
  CalibrationBinOptions,
  ReliabilityBin,
  ReliabilityDiagram,
} from './calibration-error';
export * from './ranked-lists';
export * from './report';
export * from './curves';
