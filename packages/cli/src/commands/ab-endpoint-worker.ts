/**
 * The worker thread behind {@link EndpointFeedPolicy}: it starts the local endpoint (the
 * inference image's server) on a loopback port and ranks feeds through the typed client over
 * HTTP, answering the simulation's synchronous calls (see ab-endpoint-policy.ts).
 */
import { MessagePort, parentPort, workerData } from 'node:worker_threads';
import { FeedRanker, HttpTransport, SqliteFeatureStore } from '@gfr/client';
import { Logger, experiment } from '@gfr/core';
import { createRankerServer } from '@gfr/inference-image';

import { EndpointWorkerData, RankCall, RankAnswer } from './ab-endpoint-protocol';

async function main(): Promise<void> {
  const data = workerData as EndpointWorkerData;
  const signal = new Int32Array(data.signal);
  const port: MessagePort = data.port;
  const logger = new Logger({ service: 'gfr', component: 'ab-endpoint' }, data.logLevel);
  const server = createRankerServer({ modelDir: data.modelDir, logger });
  const url = await server.listen({ port: 0, host: '127.0.0.1' });
  await server.ready;
  const store = new SqliteFeatureStore(data.storeFile);
  const ranker = new FeedRanker({
    store,
    transport: new HttpTransport({ url }),
    logger,
    experiment: { assigner: new experiment.ExperimentAssigner(data.definition) },
  });

  port.on('message', (call: RankCall | 'close') => {
    if (call === 'close') {
      port.close();
      void store.close().then(() => server.close());
      return;
    }
    ranker
      .rank({
        userId: call.userId,
        k: call.k,
        candidates: call.candidates,
        context: { time: call.timeSeconds, requestId: call.requestId },
      })
      .then(
        (feed): RankAnswer => ({
          items: feed.items.map(({ item_id, position, channel }) => ({
            item_id,
            position,
            channel,
          })),
          variant: feed.assignment?.variant ?? null,
          targetVariant: feed.assignment?.targetVariant ?? null,
        }),
        (error: unknown): RankAnswer => ({
          error: {
            name: (error as Error)?.name ?? 'Error',
            message: String((error as Error)?.message ?? error),
          },
        }),
      )
      .then((answer) => {
        port.postMessage(answer);
        Atomics.store(signal, 0, call.sequence);
        Atomics.notify(signal, 0);
      });
  });
  parentPort!.postMessage({ ready: url });
}

main().catch((error: unknown) => {
  parentPort!.postMessage({ failed: String((error as Error)?.stack ?? error) });
});
