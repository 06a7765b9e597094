import { GfrError } from '../errors';

/** An experiment definition is invalid; the message names the field and its value. */
export class InvalidExperimentError extends GfrError {
  constructor(
    readonly field: string,
    readonly value: unknown,
    problem: string,
  ) {
    super(
      'EXPERIMENT_INVALID_CONFIG',
      `experiment ${field} ${problem} (got ${JSON.stringify(value)})`,
    );
  }
}

/** Experiment logs could not be read or written at all (missing folder, unwritable file). */
export class ExperimentLogError extends GfrError {
  constructor(
    readonly path: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super('EXPERIMENT_LOG', `${path}: ${message}`, options);
  }
}

/** The logs hold nothing to analyse (no exposure, or only one variant). */
export class InsufficientExperimentDataError extends GfrError {
  constructor(message: string) {
    super('EXPERIMENT_INSUFFICIENT_DATA', message);
  }
}
