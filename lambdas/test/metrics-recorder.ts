import { MetricsSink } from '../src/metrics-sink';

/** Records what a handler published, in place of Powertools Metrics' stdout. */
export class MetricsRecorder implements MetricsSink {
  readonly dimensions: Record<string, string> = {};
  readonly published: { name: string; unit: string; value: number }[] = [];
  private pending: { name: string; unit: string; value: number }[] = [];

  addDimension(name: string, value: string): this {
    this.dimensions[name] = value;
    return this;
  }

  addMetric(name: string, unit: string, value: number): this {
    this.pending.push({ name, unit, value });
    return this;
  }

  publishStoredMetrics(): void {
    this.published.push(...this.pending);
    this.pending = [];
  }

  /** The published value of `name`, or undefined. */
  value(name: string): number | undefined {
    return this.published.find((metric) => metric.name === name)?.value;
  }
}
