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
      `objective '${objective}' is not supported: gfr serves click and conversion ` +
        'probabilities, so it scores only binary models with a logistic link ' +
        `(${supported.join(', ')}); this objective's outputs mean something else`,
    );
  }
}

/**
 * A model file gfr does not read: XGBoost's legacy binary format (the SageMaker 1.7-1 image's
 * `xgboost-model`, first bytes `binf`). The message says how to convert it.
 */
export class LegacyBinaryModelError extends GfrError {
  constructor(readonly file: string) {
    super(
      'XGBOOST_LEGACY_BINARY_NOT_SUPPORTED',
      `${file} is an XGBoost legacy binary model, which gfr does not read (its layout changes ` +
        'between releases and XGBoost 3.1 itself no longer reads it); convert it once with ' +
        "XGBoost 1.7–3.0 in Python: bst = xgboost.Booster(); bst.load_model('" +
        `${file}'); bst.save_model('model.json')`,
    );
  }
}

/**
 * A model file cannot be read: it is not JSON, UBJSON or a tar.gz holding one, or a tar.gz
 * holds no single `xgboost-model`. For errors inside a readable document, the error is a
 * {@link ModelFormatError} or an {@link UnsupportedModelError} whose message names the file.
 */
export class ModelFileError extends GfrError {
  constructor(
    readonly file: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super('XGBOOST_MODEL_FILE_UNREADABLE', `${file}: ${message}`, options);
  }
}

/** A worker thread failed while training; the cause carries the worker's error. */
export class GbdtWorkerError extends GfrError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('GBDT_WORKER_FAILED', message, options);
  }
}
