import * as path from 'node:path';
import { MessageChannel, MessagePort, Worker, receiveMessageOnPort } from 'node:worker_threads';

import { GbdtWorkerError } from './errors';
import {
  InlineExecutor,
  TrainingExecutor,
  groupPartitionTasks,
  selectPartitionTasks,
  splitEvenly,
} from './training-executor';
import {
  BinnedTree,
  PARTITION_TASK_FIELDS,
  applyTree,
  buildHistograms,
  partitionRows,
} from './training-kernels';
import { HistogramArena, SharedMemoryLayout, TrainingViews } from './training-memory';
import { COMMAND, CONTROL, PortMessage, binnedTreeSize, writeBinnedTree } from './worker-protocol';

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
 * transpiles with `@swc/core`, a development dependency that production does not need. The
 * loader replaces any built-in `.ts` handling (newer Node versions strip types themselves), so
 * the sources load the same way on every Node version.
 */
const WORKER_BOOTSTRAP = `
const { workerData } = require('node:worker_threads');
const Module = require('node:module');
const entry = workerData.entry;
if (entry.endsWith('.ts')) {
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
 * same either way. `entry` replaces the worker module (for tests).
 */
export async function startTrainingExecutor(
  views: TrainingViews,
  layout: SharedMemoryLayout,
  arena: HistogramArena,
  threads: number,
  entry: string = workerEntry(),
): Promise<{ executor: TrainingExecutor; fallbackReason?: string }> {
  if (threads <= 1) return { executor: new InlineExecutor(views) };
  const handles: WorkerHandle[] = [];
  try {
    for (let i = 1; i < threads; i++) handles.push(startWorker(layout, entry));
    await Promise.all(handles.map(waitUntilReady));
    return { executor: new WorkerExecutor(views, arena, handles) };
  } catch (error) {
    await Promise.all(handles.map((handle) => handle.worker.terminate()));
    for (const handle of handles) handle.port.close();
    const reason = error instanceof Error ? error.message : String(error);
    return { executor: new InlineExecutor(views), fallbackReason: reason };
  }
}

/** Initial size of a worker's command area, in int32 slots (grown on demand). */
const INITIAL_COMMAND_INTS = 1 << 14;

/** How long the main thread blocks waiting for a worker before yielding to the event loop. */
const SYNCHRONOUS_WAIT_MS = 250;

interface WorkerHandle {
  worker: Worker;
  control: Int32Array;
  data: Int32Array;
  port: MessagePort;
  sequence: number;
  /** Set by the worker's `error` / `exit` events. */
  failure: Error | null;
}

function startWorker(layout: SharedMemoryLayout, entry: string): WorkerHandle {
  const control = new Int32Array(new SharedArrayBuffer(4 * CONTROL.size));
  control[CONTROL.done] = -1;
  const data = new Int32Array(new SharedArrayBuffer(4 * INITIAL_COMMAND_INTS));
  const channel = new MessageChannel();
  const worker = new Worker(WORKER_BOOTSTRAP, {
    eval: true,
    workerData: {
      gfrTrainingWorker: true,
      entry,
      layout,
      control: control.buffer,
      commandData: data.buffer,
      port: channel.port2,
    },
    transferList: [channel.port2],
  });
  // Training must not keep the process alive if a caller forgets to close the pool.
  worker.unref();
  const handle: WorkerHandle = {
    worker,
    control,
    data,
    port: channel.port1,
    sequence: 0,
    failure: null,
  };
  worker.on('error', (error: Error) => (handle.failure ??= error));
  worker.on(
    'exit',
    (code: number) => (handle.failure ??= new Error(`worker exited with code ${code}`)),
  );
  return handle;
}

async function waitUntilReady(handle: WorkerHandle): Promise<void> {
  const deadline = Date.now() + WORKER_START_TIMEOUT_MS;
  while (Atomics.load(handle.control, CONTROL.done) === -1) {
    if (handle.failure) throw handle.failure;
    if (Date.now() > deadline)
      throw new Error(`worker not ready after ${WORKER_START_TIMEOUT_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * Spreads each kernel call over the main thread (part 0) and the workers (parts 1..n).
 * Histograms are split by feature, not by row shard: every thread then visits its features'
 * rows in the same order as a single thread would, so sums are bit-identical for any thread
 * count without a fixed shard count, and no per-shard histograms need merging.
 */
class WorkerExecutor implements TrainingExecutor {
  readonly threads: number;
  private pagesSent = 0;

  constructor(
    private readonly views: TrainingViews,
    private readonly arena: HistogramArena,
    private readonly handles: WorkerHandle[],
  ) {
    this.threads = handles.length + 1;
  }

  async buildHistograms(tasks: Int32Array, features: Int32Array, rowCount: number): Promise<void> {
    if (rowCount * features.length < MIN_PARALLEL_HISTOGRAM_WORK) {
      buildHistograms(this.views, tasks, features, 0, features.length);
      return;
    }
    this.sendNewPages();
    const ranges = splitEvenly(features.length, this.threads);
    this.handles.forEach((handle, i) => {
      const data = this.commandData(handle, tasks.length + features.length);
      data.set(tasks, 0);
      data.set(features, tasks.length);
      const [begin, end] = ranges[i + 1];
      this.dispatch(handle, COMMAND.histograms, [tasks.length, features.length, begin, end]);
    });
    buildHistograms(this.views, tasks, features, ranges[0][0], ranges[0][1]);
    await this.finishAll(this.handles);
  }

  async partitionRows(tasks: Int32Array, rowCount: number): Promise<Int32Array> {
    if (rowCount < MIN_PARALLEL_PARTITION_ROWS) return partitionRows(this.views, tasks);
    const groups = groupPartitionTasks(tasks, this.threads);
    const busy: Array<{ handle: WorkerHandle; group: number[]; taskInts: number }> = [];
    this.handles.forEach((handle, i) => {
      const group = groups[i + 1];
      if (group.length === 0) return;
      const selected = selectPartitionTasks(tasks, group);
      const data = this.commandData(handle, selected.length + group.length);
      data.set(selected, 0);
      this.dispatch(handle, COMMAND.partition, [selected.length]);
      busy.push({ handle, group, taskInts: selected.length });
    });
    const own = partitionRows(this.views, selectPartitionTasks(tasks, groups[0]));
    await this.finishAll(busy.map((entry) => entry.handle));

    const leftCounts = new Int32Array(tasks.length / PARTITION_TASK_FIELDS);
    groups[0].forEach((task, i) => (leftCounts[task] = own[i]));
    for (const { handle, group, taskInts } of busy) {
      group.forEach((task, i) => (leftCounts[task] = handle.data[taskInts + i]));
    }
    return leftCounts;
  }

  async applyTree(tree: BinnedTree | null): Promise<void> {
    const train = splitEvenly(this.views.trainChunks, this.threads);
    const validation = splitEvenly(this.views.validationChunks, this.threads);
    const nodes = tree === null ? -1 : tree.left.length;
    this.handles.forEach((handle, i) => {
      if (tree !== null) writeBinnedTree(tree, this.commandData(handle, binnedTreeSize(nodes)));
      const chunks = [...train[i + 1], ...validation[i + 1]];
      this.dispatch(handle, COMMAND.apply, [nodes, ...chunks]);
    });
    applyTree(this.views, tree, train[0][0], train[0][1], validation[0][0], validation[0][1]);
    await this.finishAll(this.handles);
  }

  async close(): Promise<void> {
    for (const handle of this.handles) {
      if (!handle.failure) this.dispatch(handle, COMMAND.stop, []);
    }
    await Promise.all(this.handles.map((handle) => handle.worker.terminate()));
    for (const handle of this.handles) handle.port.close();
  }

  /** The worker's command area, replaced by a larger one (sent over the port) when needed. */
  private commandData(handle: WorkerHandle, ints: number): Int32Array {
    if (handle.data.length < ints) {
      let size = handle.data.length;
      while (size < ints) size *= 2;
      const buffer = new SharedArrayBuffer(4 * size);
      handle.data = new Int32Array(buffer);
      handle.port.postMessage({ kind: 'commandData', buffer } satisfies PortMessage);
    }
    return handle.data;
  }

  private sendNewPages(): void {
    if (this.arena.pages.length === this.pagesSent) return;
    const pages = this.arena.pages.slice(this.pagesSent);
    for (const handle of this.handles) {
      handle.port.postMessage({ kind: 'pages', pages } satisfies PortMessage);
    }
    this.pagesSent = this.arena.pages.length;
  }

  private dispatch(handle: WorkerHandle, command: number, args: number[]): void {
    if (handle.failure) throw workerFailure(handle.failure);
    const { control } = handle;
    control[CONTROL.command] = command;
    args.forEach((value, i) => (control[CONTROL.arguments + i] = value));
    handle.sequence++;
    Atomics.store(control, CONTROL.request, handle.sequence);
    Atomics.notify(control, CONTROL.request);
  }

  /**
   * Waits for the workers' current commands. The main thread blocks on the control block (the
   * fast path: no event-loop round trip); a worker that takes longer than
   * {@link SYNCHRONOUS_WAIT_MS} is awaited asynchronously, so its `exit` can be noticed.
   */
  private async finishAll(handles: WorkerHandle[]): Promise<void> {
    for (const handle of handles) {
      const { control, sequence } = handle;
      const deadline = performance.now() + SYNCHRONOUS_WAIT_MS;
      let done = Atomics.load(control, CONTROL.done);
      while (done !== sequence && performance.now() < deadline) {
        Atomics.wait(control, CONTROL.done, done, deadline - performance.now());
        done = Atomics.load(control, CONTROL.done);
      }
      while (Atomics.load(control, CONTROL.done) !== sequence) {
        if (handle.failure) throw workerFailure(handle.failure);
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
      if (control[CONTROL.status] !== 0) {
        const reply = receiveMessageOnPort(handle.port)?.message as PortMessage | undefined;
        const message = reply?.kind === 'failure' ? reply.message : 'unknown failure';
        throw new GbdtWorkerError(`training worker failed: ${message}`, {
          cause: reply?.kind === 'failure' ? reply.stack : undefined,
        });
      }
    }
  }
}

function workerFailure(error: Error): GbdtWorkerError {
  return new GbdtWorkerError(`training worker failed: ${error.message}`, { cause: error });
}
