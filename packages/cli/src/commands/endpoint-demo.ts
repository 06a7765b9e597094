import * as path from 'node:path';
import {
  FeedRanker,
  HttpTransport,
  SqliteFeatureStore,
  materializeFeatureStore,
} from '@gfr/client';
import { Logger, loadArtifact, mostActiveUsers } from '@gfr/core';
import { createRankerServer } from '@gfr/inference-image';

import { formatEndpointFeed } from './client';

/** One feed ranked through the endpoint by the demo. */
export interface EndpointDemoFeed {
  user_id: string;
  text: string;
  feed: unknown;
}

/**
 * The serving half of the quickstart: materializes the online store from the run's tables,
 * starts the local endpoint (the image's server) on a free loopback port, ranks the feeds of
 * the `users` most active users through the typed client over HTTP, and stops the server.
 */
export async function rankThroughLocalEndpoint(
  outDir: string,
  users: number,
  k: number,
  logger: Logger,
): Promise<{ store: string; endpoint: string; feeds: EndpointDemoFeed[] }> {
  const tablesDir = path.join(outDir, 'tables');
  const modelDir = path.join(outDir, 'model');
  const storeFile = path.join(outDir, 'store.sqlite');
  const artifact = await loadArtifact(modelDir);
  await materializeFeatureStore({
    tablesDir,
    outFile: storeFile,
    featureSettings: artifact.manifest.feature_settings,
    modelVersion: artifact.manifest.model_version,
    logger,
  });

  const server = createRankerServer({ modelDir, logger });
  const endpoint = await server.listen({ port: 0, host: '127.0.0.1' });
  const store = new SqliteFeatureStore(storeFile);
  const transport = new HttpTransport({ url: endpoint });
  try {
    await server.ready;
    const ranker = new FeedRanker({ store, transport, defaults: { time: 'store' }, logger });
    const feeds: EndpointDemoFeed[] = [];
    for (const userId of await mostActiveUsers(tablesDir, users)) {
      const feed = await ranker.rank({ userId, k });
      const items = await store.getItems(feed.items.map((item) => item.item_id));
      const text = formatEndpointFeed(userId, feed, (id) => items.get(id)?.category ?? null);
      feeds.push({ user_id: userId, text, feed });
    }
    return { store: storeFile, endpoint, feeds };
  } finally {
    await store.close();
    await server.close();
  }
}
