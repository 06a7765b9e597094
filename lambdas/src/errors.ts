import { GfrError } from '@gfr/core/dist/automation/lambda';

/** An environment variable the stack sets is missing or invalid; the message names it. */
export class HandlerConfigurationError extends GfrError {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super('HANDLER_CONFIGURATION_INVALID', `environment variable ${variable}: ${message}`);
  }
}

/** An invocation's event is not one the handler understands; the message names the field. */
export class HandlerEventInvalidError extends GfrError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('HANDLER_EVENT_INVALID', message, options);
  }
}

/**
 * The endpoint is not `InService` (Creating, Updating, SystemUpdating, RollingBack), so it
 * accepts no update now. Retryable: the caller (Step Functions' Retry, the next event) tries
 * again later, a bounded number of times.
 */
export class EndpointNotReadyError extends GfrError {
  /** Always true: the same call can succeed once the endpoint is back in service. */
  readonly retryable = true;

  constructor(
    readonly endpointName: string,
    readonly status: string,
  ) {
    super(
      'ENDPOINT_NOT_READY',
      `endpoint ${endpointName} is ${status}, not InService: it accepts no update until it is`,
    );
  }
}

/**
 * An endpoint update did not take: the endpoint is back `InService` on its previous config with
 * a failure reason (a failed health check, a rollback alarm). The new model serves no traffic.
 */
export class EndpointUpdateRolledBackError extends GfrError {
  constructor(
    readonly endpointName: string,
    readonly expectedConfigName: string,
    readonly servingConfigName: string,
    readonly failureReason: string,
  ) {
    super(
      'ENDPOINT_UPDATE_ROLLED_BACK',
      `endpoint ${endpointName} rolled back to ${servingConfigName} instead of ` +
        `${expectedConfigName}: ${failureReason}`,
    );
  }
}

/** A weight change names a variant the endpoint does not have, or sets every weight to zero. */
export class VariantWeightsInvalidError extends GfrError {
  constructor(message: string) {
    super('VARIANT_WEIGHTS_INVALID', message);
  }
}

/**
 * An approved model package version cannot be served by gfr's endpoint: it must have exactly
 * one container with a `ModelDataUrl` (the `model.tar.gz` the inference image loads).
 */
export class ModelPackageUnservableError extends GfrError {
  constructor(
    readonly modelPackageArn: string,
    reason: string,
  ) {
    super(
      'MODEL_PACKAGE_UNSERVABLE',
      `model package ${modelPackageArn} cannot be served: ${reason}`,
    );
  }
}
