/** gfr's histogram GBDT for binary logistic loss and its XGBoost-format tree ensemble. */
export * from './errors';
export type { FeatureMatrix, LabelledMatrix } from './feature-matrix';
export { featureMatrixFromRows } from './feature-matrix';
export type { GbdtParameters } from './parameters';
export { DEFAULT_GBDT_PARAMETERS, MAX_TREE_DEPTH } from './parameters';
export type {
  GbdtRoundProgress,
  GbdtTrainingOptions,
  GbdtTrainingResult,
  TrainingTimings,
} from './trainer';
export { trainGbdt } from './trainer';
export type { CompileOptions, WarmUpReport } from './compiled-ensemble';
export {
  COMPILED_FUNCTION_NODE_BUDGET,
  CompiledEnsemble,
  MAX_COMPILED_TREE_DEPTH,
  MAX_COMPILED_TREE_NODES,
  SETTLED_BATCHES,
} from './compiled-ensemble';
export { FlatEnsemble } from './flat-ensemble';
export type { ImportanceKind } from './tree-ensemble';
export { TreeEnsemble } from './tree-ensemble';
export type {
  EnsembleDescription,
  RegressionTree,
  SupportedObjective,
} from './ensemble-description';
export { SUPPORTED_OBJECTIVES } from './ensemble-description';
export type { XGBoostReadOptions } from './xgboost-document-reader';
export { readXGBoostDocument } from './xgboost-document-reader';
export type { XGBoostModelDocument, XGBoostTreeDocument } from './xgboost-document-writer';
export { WRITTEN_XGBOOST_VERSION } from './xgboost-document-writer';
export { parseXGBoostJsonText, stringifyXGBoostJson } from './xgboost-json-text';
export { MAX_UBJSON_DEPTH, decodeUbjson } from './ubjson';
export type { XGBoostModelForm } from './xgboost-model-file';
export {
  SAGEMAKER_MODEL_ENTRY,
  detectXGBoostModelForm,
  readXGBoostModelBytes,
  readXGBoostModelFile,
} from './xgboost-model-file';
export { formatFloat32, logitFloat32, sigmoidFloat32 } from './float32';
export type { SyntheticBinarySet } from './synthetic-data';
export { syntheticBinarySet } from './synthetic-data';
