import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { loadArtifact } from '../artifact/load-artifact';
import { Ranker } from '../artifact/ranker';
import { DuckSession } from '../duckdb/database';
import { registerCanonicalTables } from '../features/aggregate-sql';
import { simulateMarketplace } from '../simulator';
import { candidateChannels, rankUserFeed } from './rank-user';
import { mostActiveUser } from './quickstart';
import { TrainedRanker, trainRanker } from './train-ranker';
import { prepareTrainingSets } from './training-sets';

const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gfr-rank-'));
const tablesDir = path.join(outDir, 'tables');
let trained: TrainedRanker;

beforeAll(async () => {
  await simulateMarketplace({ users: 300, items: 300, days: 6, seed: 5 }, tablesDir);
  trained = await trainRanker(await prepareTrainingSets(tablesDir), outDir, {
    parameters: { rounds: 20 },
  });
}, 120_000);

test("the artifact's heads predict exactly what the trainer's models predicted", async () => {
  const artifact = await loadArtifact(trained.artifact.tarball);

  for (const head of [trained.ctr, trained.cvr!]) {
    const loaded = artifact[head.head]!;
    const features = head.testSet.features;
    expect(Array.from(loaded.model.predictProbabilities(features))).toEqual(
      Array.from(head.model.predictProbabilities(features)),
    );
    expect(loaded.calibration).toEqual(head.calibration);
  }
  expect(artifact.manifest.heads.ctr.trees).toBe(trained.ctr.model.numTrees);
});

test('a ranked feed holds distinct, unbought candidates from the four channels, best first', async () => {
  const ranker = new Ranker(await loadArtifact(trained.artifact.tarball));
  const user = await mostActiveUser(tablesDir);

  const feed = await rankUserFeed({
    tablesDir,
    ranker,
    userId: user,
    k: 1000,
    candidatesPerChannel: 20,
  });

  const session = await DuckSession.open();
  await registerCanonicalTables(session, tablesDir);
  const bought = (
    await session.jsonRows(
      `SELECT DISTINCT item_id FROM events WHERE user_id = '${user}' AND type = 'purchase'`,
    )
  ).map((row) => String(row.item_id));
  session.close();

  const ids = feed.items.map((item) => item.item_id);
  expect(new Set(ids).size).toBe(ids.length);
  expect(feed.items).toHaveLength(feed.candidates);
  expect(ids.filter((id) => bought.includes(id))).toEqual([]);
  expect(new Set(feed.items.map((item) => item.channel))).toEqual(new Set(candidateChannels));
  const scores = feed.items.map((item) => item.score);
  expect(scores).toEqual([...scores].sort((a, b) => b - a));
  for (const item of feed.items) {
    expect(item.p_ctr).toBeGreaterThan(0);
    expect(item.p_ctr).toBeLessThan(1);
    expect(item.score).toBeCloseTo(item.p_ctr * item.p_cvr, 12);
  }
  expect(feed.model_version).toBe(trained.artifact.manifest.model_version);
});
