import { GfrError } from '../errors';

/** A stored calibration map (e.g. `calibration.json` of a model artifact) has the wrong shape. */
export class CalibrationMapFormatError extends GfrError {
  constructor(
    /** Path of the offending field inside the map, e.g. `thresholds[3]`. */
    readonly field: string,
    message: string,
  ) {
    super('CALIBRATION_MAP_INVALID', `calibration map: ${field} ${message}`);
  }
}

/** A single number given to a calibration function is unusable (NaN, out of range, ...). */
export class CalibrationArgumentError extends GfrError {
  constructor(
    readonly caller: string,
    readonly argument: string,
    readonly value: unknown,
    expectation: string,
  ) {
    super(
      'CALIBRATION_INVALID_ARGUMENT',
      `${caller}: ${argument} is ${String(value)}; ${expectation}`,
    );
  }
}

/** A calibrator cannot be fitted, e.g. because no row has positive weight. */
export class CalibrationFitError extends GfrError {
  constructor(message: string) {
    super('CALIBRATION_FIT_FAILED', message);
  }
}
