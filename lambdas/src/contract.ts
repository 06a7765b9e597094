/**
 * What the CDK stacks and the Lambda handlers agree on: environment variable names, the
 * retraining chain's input, the drift event and the CloudWatch metric names. Both sides import
 * these constants so that a rename cannot break the wiring silently.
 */

/** Environment variables the stacks set on the handlers. */
export const HandlerEnvironment = {
  /** The artifact bucket's name. */
  ARTIFACT_BUCKET: 'GFR_ARTIFACT_BUCKET',
  /** The SageMaker model package group of the ranker. */
  MODEL_PACKAGE_GROUP_NAME: 'GFR_MODEL_PACKAGE_GROUP_NAME',
  /** The stable name of the ranker endpoint. */
  ENDPOINT_NAME: 'GFR_ENDPOINT_NAME',
  /** The role SageMaker jobs, models and the endpoint run as; the only role handlers may pass. */
  SAGEMAKER_ROLE_ARN: 'GFR_SAGEMAKER_ROLE_ARN',
  /** The inference image's URI (serve, train, process, evaluate). */
  INFERENCE_IMAGE_URI: 'GFR_INFERENCE_IMAGE_URI',
  /** The retraining chain's Step Functions state machine. */
  RETRAIN_STATE_MACHINE_ARN: 'GFR_RETRAIN_STATE_MACHINE_ARN',
  /** SageMaker's built-in XGBoost 3.0-5 image URI in the stack's region. */
  XGBOOST_IMAGE_URI: 'GFR_XGBOOST_IMAGE_URI',
  /** `gfr` (the image's own GBDT) or `xgboost` (SageMaker's built-in XGBoost). */
  TRAINER: 'GFR_TRAINER',
  /** JSON object of hyperparameters; values are sent to SageMaker as strings. */
  HYPERPARAMETERS: 'GFR_HYPERPARAMETERS',
  /** Training instances of the retraining chain (gfr's trainer always runs on one). */
  TRAINING_INSTANCE_TYPE: 'GFR_TRAINING_INSTANCE_TYPE',
  TRAINING_INSTANCE_COUNT: 'GFR_TRAINING_INSTANCE_COUNT',
  /** Days of data in the training, validation and test windows, and the gap in hours. */
  TRAIN_DAYS: 'GFR_TRAIN_DAYS',
  VALIDATION_DAYS: 'GFR_VALIDATION_DAYS',
  TEST_DAYS: 'GFR_TEST_DAYS',
  GAP_HOURS: 'GFR_GAP_HOURS',
  /** The variants the deploy handler writes; constants, never model versions. */
  CHAMPION_VARIANT_NAME: 'GFR_CHAMPION_VARIANT_NAME',
  CHALLENGER_VARIANT_NAME: 'GFR_CHALLENGER_VARIANT_NAME',
  /** Share of traffic a new challenger gets, percent (0–100). */
  CHALLENGER_TRAFFIC_PERCENT: 'GFR_CHALLENGER_TRAFFIC_PERCENT',
  ENDPOINT_INSTANCE_TYPE: 'GFR_ENDPOINT_INSTANCE_TYPE',
  ENDPOINT_INSTANCE_COUNT: 'GFR_ENDPOINT_INSTANCE_COUNT',
  /** Comma-separated CloudWatch alarm names that roll a blue/green update back. */
  ROLLBACK_ALARM_NAMES: 'GFR_ROLLBACK_ALARM_NAMES',
  /** Gate tolerances: how much worse AUC and log loss may be, and the largest calibration error. */
  GATE_AUC_TOLERANCE: 'GFR_GATE_AUC_TOLERANCE',
  GATE_LOG_LOSS_TOLERANCE: 'GFR_GATE_LOG_LOSS_TOLERANCE',
  GATE_MAX_CALIBRATION_ERROR: 'GFR_GATE_MAX_CALIBRATION_ERROR',
  /** Data capture destination (`s3://bucket/captures`) and sampling percent. */
  CAPTURE_S3_URI: 'GFR_CAPTURE_S3_URI',
  CAPTURE_PERCENT: 'GFR_CAPTURE_PERCENT',
  /** Drift check window in hours, thresholds and the smallest window that may alarm. */
  DRIFT_WINDOW_HOURS: 'GFR_DRIFT_WINDOW_HOURS',
  DRIFT_PSI_THRESHOLD: 'GFR_DRIFT_PSI_THRESHOLD',
  DRIFT_JS_THRESHOLD: 'GFR_DRIFT_JS_THRESHOLD',
  DRIFT_MIN_RECORDS: 'GFR_DRIFT_MIN_RECORDS',
  /** The EventBridge bus drift events go to. @default the account's default bus */
  EVENT_BUS_NAME: 'GFR_EVENT_BUS_NAME',
} as const;

/** Key prefixes of the artifact bucket; each ends with a slash. */
export const BucketPrefix = {
  /** Canonical Parquet tables (events, items, users) that training windows are cut from. */
  DATA: 'data/',
  /** Training sets built by the processing step, one folder per retraining job. */
  FEATURES: 'features/',
  /** Training output and packaged artifacts, one folder per retraining job. */
  MODELS: 'models/',
  /** SageMaker Data Capture files. */
  CAPTURES: 'captures/',
  /** Drift, evaluation and experiment reports. */
  REPORTS: 'reports/',
} as const;

/** The image's arguments for the retraining chain's steps (besides `serve` and `train`). */
export const ImageCommand = {
  /** Builds the training sets of a window from canonical tables (a Processing job). */
  PROCESS: 'process',
  /** Turns training output (gfr's or XGBoost's) into a served artifact with metrics. */
  EVALUATE: 'evaluate',
} as const;

/** Container paths of the processing steps (SageMaker Processing's `/opt/ml/processing`). */
export const ProcessingPath = {
  CANONICAL_INPUT: '/opt/ml/processing/input/data',
  TRAINING_SETS_OUTPUT: '/opt/ml/processing/output/training-sets',
  TRAINING_SETS_INPUT: '/opt/ml/processing/input/training-sets',
  MODEL_INPUT: '/opt/ml/processing/input/model',
  ARTIFACT_OUTPUT: '/opt/ml/processing/output/artifact',
} as const;

/** The half-open time windows of one retraining run, ISO 8601 instants. */
export interface RetrainWindow {
  readonly trainStart: string;
  readonly validationStart: string;
  readonly testStart: string;
  readonly testEnd: string;
  /** Hours left out before validation and before test (train ends, validation ends that early). */
  readonly gapHours?: number;
}

/**
 * The input of one execution of the retraining state machine. The execution is named
 * `jobName`, so a second start for the same window is refused by Step Functions itself.
 */
export interface RetrainExecutionInput {
  /** Deterministic from the model package group and the window; also the jobs' name. */
  readonly jobName: string;
  readonly trainer: 'gfr' | 'xgboost';
  readonly window: RetrainWindow;
  /** `s3://bucket/data/` */
  readonly canonicalDataUri: string;
  /** `s3://bucket/features/<jobName>/`: the process step's output. */
  readonly trainingSetsUri: string;
  /**
   * The trainers' channels under {@link trainingSetsUri}: `gfr/` is gfr's `train` channel;
   * XGBoost reads `xgboost/train/` (ShardedByS3Key) and `xgboost/validation/`.
   */
  readonly trainingChannelUris: {
    readonly gfr: string;
    readonly xgboostTrain: string;
    readonly xgboostValidation: string;
  };
  /** The process step's arguments: `["process", "--window", <window JSON>, "--shards", "<n>"]`. */
  readonly processArguments: readonly string[];
  /** `s3://bucket/models/<jobName>/training/` */
  readonly trainingOutputUri: string;
  /** `s3://bucket/models/<jobName>/artifact/`, where `model.tar.gz` and `report.json` land. */
  readonly artifactUri: string;
  /** Every value a string, as SageMaker requires. */
  readonly hyperparameters: Readonly<Record<string, string>>;
  readonly trainingInstanceType: string;
  readonly trainingInstanceCount: number;
}

/**
 * What the retraining state machine's last step sends the deploy handler once the candidate is
 * registered: the handler gates it against the champion and rolls it out as the challenger.
 */
export interface CandidateReadyInput {
  readonly kind: 'candidate-ready';
  readonly jobName: string;
  readonly modelPackageArn: string;
  /** Where the evaluate step wrote `model.tar.gz` and `report.json`. */
  readonly artifactUri: string;
}

/**
 * Explicit endpoint operations the deploy handler accepts besides {@link CandidateReadyInput}:
 * check how a started update ended, promote the challenger to all traffic, roll the challenger
 * back (its weight to 0 at once), or set variant weights in place.
 */
export type EndpointOperationInput =
  | { readonly kind: 'check-update'; readonly endpointConfigName: string }
  | { readonly kind: 'promote' }
  | { readonly kind: 'rollback' }
  | { readonly kind: 'set-weights'; readonly weights: Readonly<Record<string, number>> };

/**
 * SageMaker's EventBridge events the deploy handler is a target of. A model package state change
 * reaches it only for our group and only when the version is `Approved`; the gate's own
 * approvals carry {@link GateVerdictPrefix.APPROVED} and are ignored, so they cannot loop.
 */
export const SageMakerEvent = {
  SOURCE: 'aws.sagemaker',
  TRAINING_JOB_STATE_CHANGE: 'SageMaker Training Job State Change',
  MODEL_PACKAGE_STATE_CHANGE: 'SageMaker Model Package State Change',
} as const;

/**
 * How the deploy handler's gate marks its verdicts: the model package's `ApprovalDescription`
 * starts with one of these prefixes, followed by the gate's reasons (1,024 characters in all).
 * An approval whose package description starts with `APPROVED` is the handler's own, already
 * being rolled out by the retraining chain, and the handler ignores its event. Any other
 * approval (the console, `aws sagemaker update-model-package`) is a person's decision and is
 * rolled out as challenger without the gate. The prefixes differ so that a version the gate
 * rejected and a person then approved is not taken for the gate's approval, whether it keeps
 * the rejection's description or gets the person's.
 */
export const GateVerdictPrefix = {
  APPROVED: 'gfr gate approved: ',
  REJECTED: 'gfr gate rejected: ',
} as const;

/** The drift check's EventBridge event; the retrain rule matches on source and detail type. */
export const DriftEvent = {
  SOURCE: 'gfr.drift',
  DETAIL_TYPE: 'Feature Drift Detected',
} as const;

/** CloudWatch metrics the handlers publish (embedded metric format) and the dashboard shows. */
export const GfrMetric = {
  NAMESPACE: 'gfr',
  /** Dimension naming the endpoint a drift metric describes. */
  ENDPOINT_DIMENSION: 'Endpoint',
  DRIFTED_FEATURES: 'DriftedFeatures',
  MAX_FEATURE_PSI: 'MaxFeaturePsi',
  MAX_FEATURE_JENSEN_SHANNON: 'MaxFeatureJensenShannon',
  PREDICTED_CTR_SHIFT: 'PredictedCtrShift',
  PREDICTED_CVR_SHIFT: 'PredictedCvrShift',
  CAPTURED_RECORDS: 'CapturedRecords',
  MALFORMED_CAPTURE_LINES: 'MalformedCaptureLines',
  RETRAIN_STARTED: 'RetrainStarted',
  RETRAIN_SKIPPED: 'RetrainSkipped',
  RETRAIN_FAILED: 'RetrainFailed',
  /** A retraining training job completed (from SageMaker's training job state-change event). */
  RETRAIN_COMPLETED: 'RetrainCompleted',
  /** Wall-clock seconds of a finished retraining training job. */
  RETRAIN_TRAINING_SECONDS: 'RetrainTrainingSeconds',
  DEPLOY_SUCCEEDED: 'DeploySucceeded',
  DEPLOY_ACCEPTED: 'DeployAccepted',
  DEPLOY_REJECTED: 'DeployRejected',
  DEPLOY_ROLLED_BACK: 'DeployRolledBack',
  /** A version approved by a person (not the gate) started rolling out as challenger. */
  DEPLOY_MANUALLY_APPROVED: 'DeployManuallyApproved',
} as const;

/** Handler entry files, relative to the repository root, each exporting `handler`. */
export const HandlerEntry = {
  RETRAIN: 'lambdas/src/retrain-handler.ts',
  DEPLOY: 'lambdas/src/deploy-handler.ts',
  DRIFT_CHECK: 'lambdas/src/drift-check-handler.ts',
} as const;
