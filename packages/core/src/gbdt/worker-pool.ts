import * as path from 'node:path';
import { Worker } from 'node:worker_threads';

import { GbdtWorkerError } from './errors';
import {
  InlineExecutor,
  TrainingExecutor,
  groupPartitionTasks,
  selectPartitionTasks,
  splitEvenly,
} from './training-executor';
import { BinnedTree, applyTree, buildHistograms, partitionRows } from './training-kernels';
import { HistogramArena, SharedMemoryLayout, TrainingViews } from './training-memory';
import type { WorkerReply, WorkerRequest } from './worker-protocol';

/**
 * Below this many row × feature accumulations a histogram level runs on the main thread alone:
 * a message round trip would cost more than the work.
 */
const MIN_PARALLEL_HISTOGRAM_WORK = 1 << 17;

/** Below this many rows a partition level runs on the main thread alone. */
const MIN_PARALLEL_PARTITION_ROWS = 1 << 16;

/** How long workers may take to start (the `.ts` path compiles sources first). */
const WORKER_START_TIMEOUT_MS = 20_000;

/**
 * Loads the worker entry. From compiled `dist/*.js` this is a plain `require`; from `.ts`
 * sources (jest, which runs TypeScript through SWC) it first registers a `.ts` loader that
 * transpiles with `@swc/core`, a development dependency that production does not need.
 */
const WORKER_BOOTSTRAP = `
const { workerData } = require('node:worker_threads');
const Module = require('node:module');
const entry = workerData.entry;
if (entry.endsWith('.ts') && !Module._extensions['.ts']) {
  const fs = require('node:fs');
  const swc = Module.createRequire(entry)('@swc/core');
  Module._extensions['.ts'] = function (module, filename) {
    const output = swc.transformSync(fs.readFileSync(filename, 'utf8'), {
      filename,
      jsc: { target: 'es2022', parser: { syntax: 'typescript' } },
      module: { type: 'commonjs' },
    });
    module._compile(output.code, filename);
  };
}
require(entry);
`;

/** The worker entry beside this module, `.js` when compiled and `.ts` under jest. */
function workerEntry(): string {
  return path.join(__dirname, `histogram-worker${path.extname(__filename)}`);
}

/**
 * Starts `threads - 1` workers sharing `layout` and returns an executor that spreads work over
 * them and the main thread. When workers cannot start (no loader for the sources, a sandbox
 * without threads), it falls back to the main thread alone and says why; the model is the
 * same either way.
 */
export async function startTrainingExecutor(
  views: TrainingViews,
  layout: SharedMemoryLayout,
  arena: HistogramArena,
  threads: number,
): Promise<{ executor: TrainingExecutor; fallbackReason?: string }> {
  if (threads <= 1) return { executor: new InlineExecutor(views) };
  const workers: Worker[] = [];
  try {
    for (let i = 1; i < threads; i++) {
      workers.push(
        new Worker(WORKER_BOOTSTRAP, {
          eval: true,
          workerData: { gfrTrainingWorker: true, entry: workerEntry(), layout },
        }),
      );
    }
    await Promise.all(workers.map(waitUntilReady));
    return { executor: new WorkerExecutor(views, arena, workers) };
  } catch (error) {
    await Promise.all(workers.map((worker) => worker.terminate()));
    const reason = error instanceof Error ? error.message : String(error);
    return { executor: new InlineExecutor(views), fallbackReason: reason };
  }
}

function waitUntilReady(worker: Worker): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`worker not ready after ${WORKER_START_TIMEOUT_MS} ms`)),
      WORKER_START_TIMEOUT_MS,
    );
    const finish = (error?: Error) => {
      clearTimeout(timer);
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
      if (error) reject(error);
      else resolve();
    };
    const onMessage = (reply: WorkerReply) =>
      finish(reply.id === -1 ? undefined : new Error('unexpected first message'));
    const onError = (error: Error) => finish(error);
    const onExit = (code: number) =>
      finish(new Error(`worker exited with code ${code} while starting`));
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
  });
}

/** Spreads each kernel call over the main thread (part 0) and the workers (parts 1..n). */
class WorkerExecutor implements TrainingExecutor {
  readonly threads: number;
  private nextId = 0;
  private pagesSent = 0;
  private closing = false;
  private failure: Error | null = null;
  private readonly pending = new Map<
    number,
    { resolve: (counts: Int32Array | null) => void; reject: (error: Error) => void }
  >();

  constructor(
    private readonly views: TrainingViews,
    private readonly arena: HistogramArena,
    private readonly workers: Worker[],
  ) {
    this.threads = workers.length + 1;
    for (const worker of workers) {
      worker.on('message', (reply: WorkerReply) => this.settle(reply));
      worker.on('error', (error: Error) => this.fail(error));
      worker.on('exit', (code: number) => {
        if (!this.closing) this.fail(new Error(`worker exited with code ${code}`));
      });
    }
  }

  async buildHistograms(tasks: Int32Array, features: Int32Array, rowCount: number): Promise<void> {
    if (rowCount * features.length < MIN_PARALLEL_HISTOGRAM_WORK) {
      buildHistograms(this.views, tasks, features, 0, features.length);
      return;
    }
    const newPages = this.arena.pages.slice(this.pagesSent);
    this.pagesSent = this.arena.pages.length;
    const ranges = splitEvenly(features.length, this.threads);
    const replies = this.workers.map((worker, i) =>
      this.request(worker, {
        id: 0,
        kind: 'histograms',
        tasks,
        features,
        featureBegin: ranges[i + 1][0],
        featureEnd: ranges[i + 1][1],
        newPages,
      }),
    );
    buildHistograms(this.views, tasks, features, ranges[0][0], ranges[0][1]);
    await Promise.all(replies);
  }

  async partitionRows(tasks: Int32Array, rowCount: number): Promise<Int32Array> {
    if (rowCount < MIN_PARALLEL_PARTITION_ROWS) return partitionRows(this.views, tasks);
    const groups = groupPartitionTasks(tasks, this.threads);
    const replies = this.workers.map((worker, i) =>
      groups[i + 1].length === 0
        ? Promise.resolve(new Int32Array(0))
        : this.request(worker, {
            id: 0,
            kind: 'partition',
            tasks: selectPartitionTasks(tasks, groups[i + 1]),
          }),
    );
    const own = partitionRows(this.views, selectPartitionTasks(tasks, groups[0]));
    const counts = await Promise.all(replies);
    const leftCounts = new Int32Array(groups.reduce((sum, group) => sum + group.length, 0));
    groups[0].forEach((task, i) => (leftCounts[task] = own[i]));
    groups.slice(1).forEach((group, part) => {
      const answer = counts[part] as Int32Array;
      group.forEach((task, i) => (leftCounts[task] = answer[i]));
    });
    return leftCounts;
  }

  async applyTree(tree: BinnedTree | null): Promise<void> {
    const train = splitEvenly(this.views.trainChunks, this.threads);
    const validation = splitEvenly(this.views.validationChunks, this.threads);
    const replies = this.workers.map((worker, i) =>
      this.request(worker, {
        id: 0,
        kind: 'apply',
        tree,
        trainChunks: train[i + 1],
        validationChunks: validation[i + 1],
      }),
    );
    applyTree(this.views, tree, train[0][0], train[0][1], validation[0][0], validation[0][1]);
    await Promise.all(replies);
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }

  private request(worker: Worker, request: WorkerRequest): Promise<Int32Array | null> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ ...request, id });
    });
  }

  private settle(reply: WorkerReply): void {
    const waiter = this.pending.get(reply.id);
    if (!waiter) return;
    this.pending.delete(reply.id);
    if (reply.ok) waiter.resolve(reply.leftCounts);
    else
      waiter.reject(
        new GbdtWorkerError(`training worker failed: ${reply.message}`, { cause: reply.stack }),
      );
  }

  private fail(error: Error): void {
    this.failure = new GbdtWorkerError(`training worker failed: ${error.message}`, {
      cause: error,
    });
    for (const waiter of this.pending.values()) waiter.reject(this.failure);
    this.pending.clear();
  }
}
