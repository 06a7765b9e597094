/**
 * Entry of a training worker thread. It maps the run's shared memory once, then runs the
 * kernels the main thread asks for and answers each request with its id. Loaded through the
 * bootstrap in `worker-pool.ts`, which also makes it loadable from `.ts` sources under jest.
 */
import { isMainThread, parentPort, workerData } from 'node:worker_threads';

import { applyTree, buildHistograms, partitionRows } from './training-kernels';
import { SharedMemoryLayout, viewsOf } from './training-memory';
import type { WorkerReply, WorkerRequest } from './worker-protocol';

if (!isMainThread && parentPort !== null && workerData?.gfrTrainingWorker === true) {
  const port = parentPort;
  const views = viewsOf(workerData.layout as SharedMemoryLayout, []);

  port.on('message', (request: WorkerRequest) => {
    let reply: WorkerReply;
    try {
      reply = { id: request.id, ok: true, leftCounts: handle(request) };
    } catch (error) {
      const failure = error instanceof Error ? error : new Error(String(error));
      reply = { id: request.id, ok: false, message: failure.message, stack: failure.stack };
    }
    port.postMessage(reply);
  });
  port.postMessage({ id: -1, ok: true, leftCounts: null } satisfies WorkerReply);

  function handle(request: WorkerRequest): Int32Array | null {
    switch (request.kind) {
      case 'histograms':
        for (const page of request.newPages) views.histogramPages.push(new Float64Array(page));
        buildHistograms(
          views,
          request.tasks,
          request.features,
          request.featureBegin,
          request.featureEnd,
        );
        return null;
      case 'partition':
        return partitionRows(views, request.tasks);
      case 'apply':
        applyTree(
          views,
          request.tree,
          request.trainChunks[0],
          request.trainChunks[1],
          request.validationChunks[0],
          request.validationChunks[1],
        );
        return null;
    }
  }
}
