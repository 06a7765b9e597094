/**
 * Reading the endpoint's state and the operations that need nothing but it: checking how an
 * update ended, and weight-only traffic shifts. SageMaker accepts updates only while the
 * endpoint is `InService`, and reports a failed update by returning to `InService` on the old
 * config with a `FailureReason`, so both are checked explicitly.
 */
import {
  DescribeEndpointCommand,
  SageMakerClient,
  UpdateEndpointWeightsAndCapacitiesCommand,
} from '@aws-sdk/client-sagemaker';

import { EndpointNotReadyError, VariantWeightsInvalidError } from './errors';

/** What the handlers read of an endpoint. */
export interface EndpointState {
  name: string;
  status: string;
  configName: string;
  failureReason: string | null;
  /** Serving variants with their current weights. */
  variants: { name: string; weight: number }[];
}

/** DescribeEndpoint, reduced to what the handlers use. */
export async function describeEndpoint(
  sageMaker: SageMakerClient,
  endpointName: string,
): Promise<EndpointState> {
  const endpoint = await sageMaker.send(
    new DescribeEndpointCommand({ EndpointName: endpointName }),
  );
  return {
    name: endpointName,
    status: endpoint.EndpointStatus ?? 'Unknown',
    configName: endpoint.EndpointConfigName ?? '',
    failureReason: endpoint.FailureReason ?? null,
    variants: (endpoint.ProductionVariants ?? []).map((variant) => ({
      name: variant.VariantName ?? '',
      weight: variant.CurrentWeight ?? 0,
    })),
  };
}

/** Throws the retryable {@link EndpointNotReadyError} unless the endpoint is `InService`. */
export function requireInService(endpoint: EndpointState): void {
  if (endpoint.status !== 'InService') {
    throw new EndpointNotReadyError(endpoint.name, endpoint.status);
  }
}

/** How a started update ended. */
export type UpdateResult =
  | { outcome: 'succeeded'; configName: string }
  | { outcome: 'rolled-back'; configName: string; failureReason: string };

/**
 * How the update to `expectedConfigName` ended: succeeded when the endpoint serves it, rolled
 * back when it is `InService` on another config (SageMaker restored the old one, an alarm or a
 * failed health check) or `Failed`. Still in progress: the retryable {@link EndpointNotReadyError}.
 */
export async function checkEndpointUpdate(
  sageMaker: SageMakerClient,
  endpointName: string,
  expectedConfigName: string,
): Promise<UpdateResult> {
  const endpoint = await describeEndpoint(sageMaker, endpointName);
  if (endpoint.status === 'InService' && endpoint.configName === expectedConfigName) {
    return { outcome: 'succeeded', configName: endpoint.configName };
  }
  if (endpoint.status === 'InService' || endpoint.status === 'Failed') {
    return {
      outcome: 'rolled-back',
      configName: endpoint.configName,
      failureReason:
        endpoint.failureReason ?? `the endpoint serves ${endpoint.configName} without a reason`,
    };
  }
  throw new EndpointNotReadyError(endpointName, endpoint.status);
}

/**
 * Shifts traffic in place with UpdateEndpointWeightsAndCapacities: no new config, no new fleet.
 * Every named variant must be one the endpoint serves, weights must be finite and ≥ 0 and not
 * all zero (traffic would have nowhere to go). Variants not named keep their weight.
 */
export async function setVariantWeights(
  sageMaker: SageMakerClient,
  endpointName: string,
  weights: Readonly<Record<string, number>>,
): Promise<EndpointState> {
  const endpoint = await describeEndpoint(sageMaker, endpointName);
  const known = endpoint.variants.map((variant) => variant.name);
  const unknown = Object.keys(weights).filter((name) => !known.includes(name));
  if (unknown.length > 0) {
    throw new VariantWeightsInvalidError(
      `endpoint ${endpointName} has no variant ${unknown.join(', ')} (it has ${known.join(', ')})`,
    );
  }
  const bad = Object.entries(weights).filter(
    ([, weight]) => !(Number.isFinite(weight) && weight >= 0),
  );
  if (bad.length > 0 || Object.keys(weights).length === 0) {
    throw new VariantWeightsInvalidError(
      `weights must be finite and zero or more, got ${JSON.stringify(weights)}`,
    );
  }
  const after = endpoint.variants.map((variant) => weights[variant.name] ?? variant.weight);
  if (after.every((weight) => weight === 0)) {
    throw new VariantWeightsInvalidError(
      `weights ${JSON.stringify(weights)} would leave every variant of ${endpointName} at 0`,
    );
  }
  requireInService(endpoint);

  await sageMaker.send(
    new UpdateEndpointWeightsAndCapacitiesCommand({
      EndpointName: endpointName,
      DesiredWeightsAndCapacities: Object.entries(weights).map(([name, weight]) => ({
        VariantName: name,
        DesiredWeight: weight,
      })),
    }),
  );
  return endpoint;
}
