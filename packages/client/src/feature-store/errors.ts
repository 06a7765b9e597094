import { GfrError } from '@gfr/core';

/** The online store file or a feature-group record is not what this code reads. */
export class FeatureStoreFormatError extends GfrError {
  constructor(
    /** The file, or `featureGroup/recordIdentifier/featureName` of a remote record. */
    readonly location: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super('FEATURE_STORE_FORMAT', `online feature store ${location}: ${message}`, options);
  }
}

/** The online store could not be read (after the bounded retries, for a remote store). */
export class FeatureStoreUnavailableError extends GfrError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('FEATURE_STORE_UNAVAILABLE', message, options);
  }
}

/** Materialization failed; nothing was written at the target. */
export class MaterializationError extends GfrError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('MATERIALIZATION_FAILED', message, options);
  }
}
