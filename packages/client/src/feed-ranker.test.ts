import * as http from 'node:http';
import { AddressInfo } from 'node:net';
import * as path from 'node:path';
import {
  DuckSession,
  Ranker,
  loadArtifact,
  parseInvocationRequest,
  prepareTrainingSets,
  rankRequest,
  rankUserFeed,
  registerCanonicalTables,
  trainRanker,
} from '@gfr/core';

import { simulateTables, temporaryDirectory } from '../test-support/marketplace';
import { materializeFeatureStore } from './feature-store/materialize';
import { SqliteFeatureStore } from './feature-store/sqlite-store';
import { FeedRanker, NoCandidatesError } from './feed-ranker';
import { MalformedResponseError, ValidationError } from './transport/errors';
import { HttpTransport } from './transport/http-transport';
import { EndpointTransport, InvokeOptions, TransportResponse } from './transport/transport';

const dir = temporaryDirectory('feed-ranker');
let tablesDir: string;
let ranker: Ranker;
let store: SqliteFeatureStore;
let activeUser: string;

/** The endpoint in-process: core's request parser and rankRequest behind the transport API. */
class InProcessTransport implements EndpointTransport {
  readonly calls: { body: unknown; options: InvokeOptions }[] = [];
  answer: ((body: unknown) => unknown) | null = null;

  async invoke(body: unknown, options: InvokeOptions = {}): Promise<TransportResponse> {
    this.calls.push({ body, options });
    const wire = JSON.parse(JSON.stringify(body));
    const response = rankRequest(ranker, parseInvocationRequest(wire), Date.now() / 1000);
    return {
      body: this.answer ? this.answer(response) : JSON.parse(JSON.stringify(response)),
      variant: options.variant ?? 'AllTraffic',
    };
  }
}

beforeAll(async () => {
  tablesDir = await simulateTables(dir, { users: 300, items: 300, days: 6, seed: 5 });
  const trained = await trainRanker(await prepareTrainingSets(tablesDir), dir, {
    parameters: { rounds: 20 },
  });
  const artifact = await loadArtifact(trained.artifact.directory);
  ranker = new Ranker(artifact);
  const file = path.join(dir, 'store.sqlite');
  await materializeFeatureStore({
    tablesDir,
    outFile: file,
    featureSettings: artifact.manifest.feature_settings,
    modelVersion: artifact.manifest.model_version,
    threads: 1,
  });
  store = new SqliteFeatureStore(file);

  const session = await DuckSession.open({ threads: 1 });
  await registerCanonicalTables(session, tablesDir);
  const [row] = await session.jsonRows(`SELECT user_id FROM events WHERE type = 'purchase'
    GROUP BY user_id ORDER BY count(*) DESC, user_id LIMIT 1`);
  activeUser = String(row.user_id);
  session.close();
}, 120_000);

afterAll(() => store?.close());

function feedRanker(transport: EndpointTransport = new InProcessTransport()) {
  let next = 0;
  return new FeedRanker({
    store,
    transport,
    defaults: { time: 'store' },
    newRequestId: () => `req-${++next}`,
  });
}

test('rank returns a typed feed of k distinct, unbought candidates, best first', async () => {
  const transport = new InProcessTransport();

  const feed = await feedRanker(transport).rank({ userId: activeUser, k: 20, variant: 'canary' });

  const user = await store.getUser(activeUser);
  expect(feed.items).toHaveLength(20);
  expect(feed.items.map((item) => item.position)).toEqual(
    Array.from({ length: 20 }, (_, i) => i + 1),
  );
  const ids = feed.items.map((item) => item.item_id);
  expect(new Set(ids).size).toBe(20);
  expect(ids.filter((id) => user.purchased_items.includes(id))).toEqual([]);
  const scores = feed.items.map((item) => item.score);
  expect(scores).toEqual([...scores].sort((a, b) => b - a));
  for (const item of feed.items) {
    expect(item.p_ctr).toBeGreaterThan(0);
    expect(item.p_ctr).toBeLessThan(1);
    expect(item.score).toBeCloseTo(item.p_ctr * item.p_cvr, 12);
  }
  expect(feed).toMatchObject({
    modelVersion: ranker.modelVersion,
    variant: 'canary',
    requestId: 'req-1',
    userKnown: true,
  });
  const sent = transport.calls[0];
  expect(sent.options).toMatchObject({ variant: 'canary', inferenceId: 'req-1' });
  expect((sent.body as { time: number }).time).toBe(store.description.asOf! + 1);
  expect(
    new Set((sent.body as { candidates: { channel: string }[] }).candidates.map((c) => c.channel)),
  ).toEqual(new Set(['exploit', 'popularity', 'recent', 'explore']));
});

test('served probabilities equal those of the offline in-process ranking for every shared item', async () => {
  const served = await feedRanker().rank({ userId: activeUser, k: 150 });
  const offline = await rankUserFeed({
    tablesDir,
    ranker,
    userId: activeUser,
    k: 1000,
    candidatesPerChannel: 100,
  });

  const offlineById = new Map(offline.items.map((item) => [item.item_id, item]));
  const shared = served.items.filter((item) => offlineById.has(item.item_id));
  expect(shared.length).toBeGreaterThan(40);
  for (const item of shared) {
    const reference = offlineById.get(item.item_id)!;
    expect([item.item_id, item.p_ctr, item.p_cvr]).toEqual([
      item.item_id,
      reference.p_ctr,
      reference.p_cvr,
    ]);
  }
});

test('a user the store has never seen gets a cold-start feed without exploit items', async () => {
  const transport = new InProcessTransport();

  const feed = await feedRanker(transport).rank({ userId: 'brand-new-user', k: 10 });

  expect(feed.userKnown).toBe(false);
  expect(feed.items).toHaveLength(10);
  const channels = (
    transport.calls[0].body as { candidates: { channel: string }[] }
  ).candidates.map((candidate) => candidate.channel);
  expect(channels).not.toContain('exploit');
  expect(channels).toContain('explore');
});

test('blending rules and quotas reach the endpoint', async () => {
  const feed = await feedRanker().rank({
    userId: activeUser,
    k: 6,
    blend: { explore_positions: [1, 4] },
    quotas: { exploit: 5, popularity: 5, recent: 0, explore: 5 },
  });

  expect(feed.items[0].channel).toBe('explore');
  expect(feed.items[3].channel).toBe('explore');
  expect(feed.candidates).toBe(15);
  expect(feed.items.map((item) => item.channel)).not.toContain('recent');
});

test('answers that are not a valid feed are MalformedResponseErrors', async () => {
  const transport = new InProcessTransport();
  const ranking = feedRanker(transport);

  transport.answer = () => ({
    schema_version: '1',
    model_version: 'm',
    request_id: null,
    items: [{}],
  });
  await expect(ranking.rank({ userId: activeUser })).rejects.toThrow(
    'endpoint response: items[0].item_id: is not a non-empty string (got missing)',
  );
  transport.answer = (response) => ({
    ...(response as object),
    items: [
      { item_id: 'smuggled', channel: 'recent', position: 1, p_ctr: 0.1, p_cvr: 0.1, score: 0.01 },
    ],
  });
  await expect(ranking.rank({ userId: activeUser })).rejects.toBeInstanceOf(MalformedResponseError);
});

test('invoke refuses an invalid request locally, naming the field, before any send', async () => {
  const transport = new InProcessTransport();
  const request = {
    schema_version: '1' as const,
    user: { user_id: 'u' },
    candidates: [{ item_id: 'a', channel: 'popularity' as const, discount: 1.5 }],
  };

  const failure = (await feedRanker(transport)
    .invoke(request)
    .catch((error: unknown) => error)) as ValidationError;

  expect(failure).toBeInstanceOf(ValidationError);
  expect([failure.source, failure.field]).toEqual(['client', 'candidates[0].discount']);
  expect(transport.calls).toHaveLength(0);
  await expect(feedRanker().rank({ userId: 'u', k: 0 })).rejects.toThrow(/k: must be a positive/);
});

test('an empty candidate set is a NoCandidatesError, not an empty request', async () => {
  await expect(
    feedRanker().rank({
      userId: activeUser,
      quotas: { exploit: 0, popularity: 0, recent: 0, explore: 0 },
    }),
  ).rejects.toBeInstanceOf(NoCandidatesError);
});

test('the whole path over HTTP: client, transport, a server running the endpoint code', async () => {
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = rankRequest(
        ranker,
        parseInvocationRequest(JSON.parse(Buffer.concat(chunks).toString())),
        Date.now() / 1000,
      );
      response.writeHead(200, {
        'content-type': 'application/json',
        'x-amzn-invoked-production-variant': 'local',
      });
      response.end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  try {
    const overHttp = await feedRanker(new HttpTransport({ url })).rank({
      userId: activeUser,
      k: 10,
    });
    const inProcess = await feedRanker().rank({ userId: activeUser, k: 10 });
    expect(overHttp.items).toEqual(inProcess.items);
    expect(overHttp.variant).toBe('local');
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});
