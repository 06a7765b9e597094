import { GfrError } from '../errors';

/** One Data Capture line is not a SageMaker capture record; `reason` says which part is wrong. */
export class CaptureRecordInvalidError extends GfrError {
  constructor(
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super('CAPTURE_RECORD_INVALID', `not a SageMaker Data Capture record: ${reason}`, options);
  }
}

/** The data present spans too little time for the configured retraining windows. */
export class InsufficientDataError extends GfrError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('INSUFFICIENT_DATA', message, options);
  }
}

/** A model's metrics (report.json or manifest) lack what the promotion gate reads. */
export class ModelMetricsInvalidError extends GfrError {
  constructor(
    readonly source: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super('MODEL_METRICS_INVALID', `metrics of ${source}: ${message}`, options);
  }
}
