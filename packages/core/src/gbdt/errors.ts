import { GfrError } from '../errors';

/** A training or model parameter is out of range; the message names it and its value. */
export class GbdtParameterError extends GfrError {
  constructor(
    readonly parameter: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super('GBDT_INVALID_PARAMETER', `GBDT parameter ${parameter}: ${message}`, options);
  }
}

/**
 * The training (or validation) matrix, labels or weights cannot be used: wrong sizes, labels
 * outside [0, 1], negative weights, infinite feature values. The message names the set, the
 * row and the column.
 */
export class TrainingDataError extends GfrError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('GBDT_INVALID_TRAINING_DATA', message, options);
  }
}

/** A matrix or row given for prediction does not match the model's features. */
export class PredictionInputError extends GfrError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('GBDT_INVALID_PREDICTION_INPUT', message, options);
  }
}

/**
 * An XGBoost model document is malformed: a field is missing or has the wrong type, array
 * lengths disagree, a child id or split feature is out of range. `path` locates the field
 * (e.g. `learner.gradient_booster.model.trees[3].left_children[5]`).
 */
export class ModelFormatError extends GfrError {
  constructor(
    readonly path: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super('XGBOOST_MODEL_INVALID', `invalid XGBoost model at ${path}: ${message}`, options);
  }
}

/**
 * A well-formed XGBoost model uses something gfr's scorer refuses to guess at. Each kind has its
 * own subclass so that callers can tell them apart without parsing messages.
 */
export class UnsupportedModelError extends GfrError {
  constructor(
    code: string,
    readonly path: string,
    message: string,
  ) {
    super(code, `unsupported XGBoost model at ${path}: ${message}`);
  }
}

/** The model splits on categorical features (`split_type` 1 or feature type `c`). */
export class CategoricalSplitsNotSupportedError extends UnsupportedModelError {
  constructor(path: string, detail: string) {
    super(
      'XGBOOST_CATEGORICAL_NOT_SUPPORTED',
      path,
      `categorical splits are not supported (${detail}); encode categories as numbers upstream`,
    );
  }
}

/** The model has several outputs: multi-class, multi-target or vector leaves. */
export class MultiOutputNotSupportedError extends UnsupportedModelError {
  constructor(path: string, detail: string) {
    super(
      'XGBOOST_MULTI_OUTPUT_NOT_SUPPORTED',
      path,
      `only single-output binary models are supported (${detail})`,
    );
  }
}

/** The booster is not `gbtree` (e.g. `gblinear` or `dart`). */
export class BoosterNotSupportedError extends UnsupportedModelError {
  constructor(path: string, booster: string) {
    super(
      'XGBOOST_BOOSTER_NOT_SUPPORTED',
      path,
      `booster '${booster}' is not supported; only 'gbtree' is`,
    );
  }
}

/** The objective is not one of the logistic objectives gfr scores. */
export class ObjectiveNotSupportedError extends UnsupportedModelError {
  constructor(path: string, objective: string, supported: readonly string[]) {
    super(
      'XGBOOST_OBJECTIVE_NOT_SUPPORTED',
      path,
      `objective '${objective}' is not supported; expected one of ${supported.join(', ')}`,
    );
  }
}

/** A worker thread failed while training; the cause carries the worker's error. */
export class GbdtWorkerError extends GfrError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('GBDT_WORKER_FAILED', message, options);
  }
}
