import { GfrError } from '@gfr/core';

/** A server or container setting is invalid (port, host, capture percentage, model folder). */
export class ServeConfigurationError extends GfrError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('SERVE_CONFIGURATION_INVALID', message, options);
  }
}

/**
 * The model could not be made ready to serve: the artifact failed to load or its warm-up
 * prediction failed. The server keeps answering `/ping` with 503.
 */
export class ModelNotReadyError extends GfrError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('MODEL_NOT_READY', message, options);
  }
}

/**
 * A SageMaker training job's input is unusable: the hyperparameters, the resource configuration
 * or the training channel. The message becomes the job's `FailureReason`.
 */
export class TrainingJobInputError extends GfrError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('TRAINING_JOB_INPUT_INVALID', message, options);
  }
}

// Raised by the capture parser, which lives in core so that the drift-check Lambda shares it.
export { CaptureRecordInvalidError } from '@gfr/core';

/** In-flight requests or the capture flush did not finish within the shutdown deadline. */
export class ServerShutdownTimeoutError extends GfrError {
  constructor(readonly timeoutMs: number) {
    super(
      'SERVER_SHUTDOWN_TIMEOUT',
      `the server did not finish its requests and capture within ${timeoutMs} ms of the stop`,
    );
  }
}
