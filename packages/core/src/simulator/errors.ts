import { GfrError } from '../errors';

/** A marketplace config field has a value the simulator cannot use. */
export class InvalidMarketplaceConfigError extends GfrError {
  constructor(
    /** The config field, e.g. `feedSize` or `channelMix.exploit`. */
    readonly field: string,
    /** The rejected value. */
    readonly value: unknown,
    reason: string,
  ) {
    super(
      'SIMULATOR_INVALID_CONFIG',
      `invalid marketplace config: ${field} = ${JSON.stringify(value)} ${reason}`,
    );
  }
}

/** A ground-truth query named a user or item the simulated marketplace does not have. */
export class UnknownSimulatedEntityError extends GfrError {
  constructor(
    /** `user` or `item`. */
    readonly kind: 'user' | 'item',
    /** The id that was not found. */
    readonly id: string,
  ) {
    super('SIMULATOR_UNKNOWN_ENTITY', `the simulated marketplace has no ${kind} with id ${id}`);
  }
}

/** A feed policy returned a feed the marketplace cannot show (unknown, unlaunched, repeated). */
export class InvalidFeedError extends GfrError {
  constructor(
    /** The policy's name. */
    readonly policy: string,
    /** The request whose feed was rejected. */
    readonly requestId: string,
    reason: string,
  ) {
    super('SIMULATOR_INVALID_FEED', `feed policy ${policy}, request ${requestId}: ${reason}`);
  }
}

/** Writing the simulated tables or the ground-truth file failed. */
export class SimulationOutputError extends GfrError {
  constructor(
    /** The folder the simulation was writing to. */
    readonly outDir: string,
    options?: { cause?: unknown },
  ) {
    super(
      'SIMULATOR_OUTPUT_FAILED',
      `could not write the simulated marketplace to ${outDir}: ${
        options?.cause instanceof Error ? options.cause.message : String(options?.cause)
      }`,
      options,
    );
  }
}
