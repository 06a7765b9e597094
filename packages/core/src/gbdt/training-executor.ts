import {
  BinnedTree,
  PARTITION_TASK_FIELDS,
  applyTree,
  buildHistograms,
  partitionRows,
} from './training-kernels';
import { TrainingViews } from './training-memory';

/**
 * Runs the training kernels, on the main thread alone or spread over workers. Every
 * implementation produces bit-identical results: only the assignment of work units (features,
 * nodes, row chunks) to threads differs.
 */
export interface TrainingExecutor {
  /** Threads actually in use, the main thread included. */
  readonly threads: number;
  /** Builds histograms (see {@link buildHistograms}); `rowCount` is the rows summed over tasks. */
  buildHistograms(tasks: Int32Array, features: Int32Array, rowCount: number): Promise<void>;
  /** Partitions node row ranges (see {@link partitionRows}); returns left counts per task. */
  partitionRows(tasks: Int32Array, rowCount: number): Promise<Int32Array>;
  /** Adds a tree to the margins and refreshes gradients and loss partials. */
  applyTree(tree: BinnedTree | null): Promise<void>;
  /** Stops the workers, if any. */
  close(): Promise<void>;
}

/** Runs every kernel on the calling thread. */
export class InlineExecutor implements TrainingExecutor {
  readonly threads = 1;

  constructor(private readonly views: TrainingViews) {}

  async buildHistograms(tasks: Int32Array, features: Int32Array): Promise<void> {
    buildHistograms(this.views, tasks, features, 0, features.length);
  }

  async partitionRows(tasks: Int32Array): Promise<Int32Array> {
    return partitionRows(this.views, tasks);
  }

  async applyTree(tree: BinnedTree | null): Promise<void> {
    applyTree(this.views, tree, 0, this.views.trainChunks, 0, this.views.validationChunks);
  }

  async close(): Promise<void> {}
}

/** Splits `[0, count)` into `parts` contiguous ranges of near-equal size. */
export function splitEvenly(count: number, parts: number): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  for (let part = 0; part < parts; part++) {
    ranges.push([Math.floor((count * part) / parts), Math.floor((count * (part + 1)) / parts)]);
  }
  return ranges;
}

/**
 * Assigns partition tasks to `parts` groups, largest first to the least-loaded group, and
 * returns each group's task indices. Nodes are disjoint, so any assignment gives the same rows.
 */
export function groupPartitionTasks(tasks: Int32Array, parts: number): number[][] {
  const count = tasks.length / PARTITION_TASK_FIELDS;
  const order = Array.from({ length: count }, (_, i) => i);
  const size = (i: number) =>
    tasks[i * PARTITION_TASK_FIELDS + 1] - tasks[i * PARTITION_TASK_FIELDS];
  order.sort((a, b) => size(b) - size(a) || a - b);
  const groups: number[][] = Array.from({ length: parts }, () => []);
  const loads = new Float64Array(parts);
  for (const task of order) {
    let target = 0;
    for (let part = 1; part < parts; part++) if (loads[part] < loads[target]) target = part;
    groups[target].push(task);
    loads[target] += size(task);
  }
  return groups;
}

/** The tasks of `indices`, copied into their own flattened list. */
export function selectPartitionTasks(tasks: Int32Array, indices: number[]): Int32Array {
  const selected = new Int32Array(indices.length * PARTITION_TASK_FIELDS);
  indices.forEach((task, i) => {
    const from = task * PARTITION_TASK_FIELDS;
    selected.set(tasks.subarray(from, from + PARTITION_TASK_FIELDS), i * PARTITION_TASK_FIELDS);
  });
  return selected;
}

/** Wall-clock milliseconds spent in each kernel kind over a training run. */
export interface KernelTimings {
  histogramMs: number;
  partitionMs: number;
  updateMs: number;
}

/** Wraps an executor and adds up the wall-clock time of each kind of call. */
export class TimedExecutor implements TrainingExecutor {
  readonly timings: KernelTimings = { histogramMs: 0, partitionMs: 0, updateMs: 0 };

  constructor(private readonly inner: TrainingExecutor) {}

  get threads(): number {
    return this.inner.threads;
  }

  async buildHistograms(tasks: Int32Array, features: Int32Array, rowCount: number): Promise<void> {
    const started = performance.now();
    await this.inner.buildHistograms(tasks, features, rowCount);
    this.timings.histogramMs += performance.now() - started;
  }

  async partitionRows(tasks: Int32Array, rowCount: number): Promise<Int32Array> {
    const started = performance.now();
    const counts = await this.inner.partitionRows(tasks, rowCount);
    this.timings.partitionMs += performance.now() - started;
    return counts;
  }

  async applyTree(tree: BinnedTree | null): Promise<void> {
    const started = performance.now();
    await this.inner.applyTree(tree);
    this.timings.updateMs += performance.now() - started;
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
