/**
 * What the handlers need of Powertools Metrics: the `Metrics` class satisfies it, and tests pass
 * a recorder. Metrics are written in CloudWatch's embedded metric format to stdout, so
 * publishing costs no API call.
 */
import { MetricUnit, Metrics } from '@aws-lambda-powertools/metrics';

import { GfrMetric } from './contract';

/** A CloudWatch unit, such as `MetricUnit.Count`. */
export type MetricUnitName = (typeof MetricUnit)[keyof typeof MetricUnit];

/** The subset of Powertools Metrics the handlers call. */
export interface MetricsSink {
  addDimension(name: string, value: string): unknown;
  addMetric(name: string, unit: MetricUnitName, value: number): unknown;
  publishStoredMetrics(): unknown;
}

/** Powertools Metrics in gfr's namespace for one handler. */
export function handlerMetrics(serviceName: string): Metrics {
  return new Metrics({ namespace: GfrMetric.NAMESPACE, serviceName });
}

export { MetricUnit };
