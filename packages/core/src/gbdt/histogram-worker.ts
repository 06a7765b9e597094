/**
 * Entry of a training worker thread. It maps the run's shared memory once, then sleeps on its
 * control block and runs each command the main thread writes there (see `worker-protocol.ts`).
 * Loaded through the bootstrap in `worker-pool.ts`, which also makes it loadable from `.ts`
 * sources under jest.
 */
import { MessagePort, isMainThread, receiveMessageOnPort, workerData } from 'node:worker_threads';

import { applyTree, buildHistograms, partitionRows } from './training-kernels';
import { SharedMemoryLayout, TrainingViews, viewsOf } from './training-memory';
import { COMMAND, CONTROL, PortMessage, readBinnedTree } from './worker-protocol';

if (!isMainThread && workerData?.gfrTrainingWorker === true) {
  serve(
    viewsOf(workerData.layout as SharedMemoryLayout, []),
    new Int32Array(workerData.control as SharedArrayBuffer),
    new Int32Array(workerData.commandData as SharedArrayBuffer),
    workerData.port as MessagePort,
  );
}

function serve(
  views: TrainingViews,
  control: Int32Array,
  initialData: Int32Array,
  port: MessagePort,
) {
  let data = initialData;
  let seen = 0;
  Atomics.store(control, CONTROL.done, 0);
  Atomics.notify(control, CONTROL.done);
  for (;;) {
    Atomics.wait(control, CONTROL.request, seen);
    seen = Atomics.load(control, CONTROL.request);
    for (let message = receiveMessageOnPort(port); message; message = receiveMessageOnPort(port)) {
      const received = message.message as PortMessage;
      if (received.kind === 'pages') {
        for (const page of received.pages) views.histogramPages.push(new Float64Array(page));
      } else if (received.kind === 'commandData') {
        data = new Int32Array(received.buffer);
      }
    }
    const command = control[CONTROL.command];
    if (command === COMMAND.stop) break;
    try {
      run(views, command, control, data);
      control[CONTROL.status] = 0;
    } catch (error) {
      const failure = error instanceof Error ? error : new Error(String(error));
      port.postMessage({ kind: 'failure', message: failure.message, stack: failure.stack });
      control[CONTROL.status] = 1;
    }
    Atomics.store(control, CONTROL.done, seen);
    Atomics.notify(control, CONTROL.done);
  }
  port.close();
}

function run(views: TrainingViews, command: number, control: Int32Array, data: Int32Array) {
  const argument = (i: number) => control[CONTROL.arguments + i];
  switch (command) {
    case COMMAND.histograms: {
      const taskInts = argument(0);
      const features = data.subarray(taskInts, taskInts + argument(1));
      buildHistograms(views, data.subarray(0, taskInts), features, argument(2), argument(3));
      return;
    }
    case COMMAND.partition: {
      const taskInts = argument(0);
      data.set(partitionRows(views, data.subarray(0, taskInts)), taskInts);
      return;
    }
    case COMMAND.apply: {
      const nodes = argument(0);
      const tree = nodes < 0 ? null : readBinnedTree(data, nodes);
      applyTree(views, tree, argument(1), argument(2), argument(3), argument(4));
      return;
    }
    default:
      throw new Error(`unknown worker command ${command}`);
  }
}
