import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import {
  LoadedArtifact,
  checkFeatureDrift,
  loadArtifact,
  prepareTrainingSets,
  simulator,
  trainRanker,
} from '@gfr/core';
import { syntheticInvocationRequest } from '@gfr/inference-image';

let artifact: LoadedArtifact;

beforeAll(async () => {
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gfr-drift-'));
  const tablesDir = path.join(outDir, 'tables');
  await simulator.simulateMarketplace({ users: 300, items: 300, days: 6, seed: 5 }, tablesDir);
  const trained = await trainRanker(await prepareTrainingSets(tablesDir), outDir, {
    parameters: { rounds: 20 },
  });
  artifact = await loadArtifact(trained.artifact.directory);
}, 120_000);

test('captured requests are rebuilt into model inputs, unreadable ones counted, position ignored', () => {
  const requests = [1, 2, 3].map((seed) =>
    JSON.stringify(syntheticInvocationRequest({ candidates: 100, seed, now: 1_710_000_000 })),
  );
  const invocations = [...requests, '{"not": "a request"', '{}'].map((requestText) => ({
    requestText,
    inferenceTime: '2024-03-09T16:00:00Z',
  }));

  const report = checkFeatureDrift(artifact, invocations);

  expect(report.requests).toBe(3);
  expect(report.unreadable_requests).toBe(2);
  expect(report.unreadable_examples).toEqual([
    { file: null, line: null, reason: expect.stringMatching(/JSON/) },
    { file: null, line: null, reason: expect.stringMatching(/schema_version/) },
  ]);
  expect(report.candidates).toBe(300);
  expect(report.features.map((feature) => feature.feature)).toEqual(
    artifact.manifest.feature_names,
  );
  const position = report.features.find((feature) => feature.feature === 'position')!;
  expect(position).toMatchObject({ judged: false, drifted: false, rows: 300 });
  expect(report.drifted_features).not.toContain('position');
});

test('a window smaller than the minimum judges nothing and raises nothing', () => {
  const requestText = JSON.stringify(syntheticInvocationRequest({ candidates: 20, seed: 9 }));
  const report = checkFeatureDrift(artifact, [
    { requestText, inferenceTime: '2024-03-09T16:00:00Z' },
  ]);

  expect(report.features.every((feature) => !feature.judged && !feature.drifted)).toBe(true);
  expect(report.drifted_features).toEqual([]);
});

test('a user’s features count one observation per request, an item’s one per candidate', () => {
  const invocations = [1, 2, 3, 4, 5].map((seed) => ({
    requestText: JSON.stringify(
      syntheticInvocationRequest({ candidates: 100, seed, now: 1_710_000_000 }),
    ),
    inferenceTime: '2024-03-09T16:00:00Z',
  }));

  const report = checkFeatureDrift(artifact, invocations, {
    psi: 0.2,
    jensenShannon: 0.1,
    minimumRows: 200,
  });
  const feature = (name: string) => report.features.find((entry) => entry.feature === name)!;

  // 500 rows, but five users: a user's decayed clicks are five observations, too few to judge.
  expect(feature('user_clicks_decayed')).toMatchObject({
    rows: 500,
    sample_size: 5,
    judged: false,
    drifted: false,
  });
  expect(feature('log_price')).toMatchObject({ rows: 500, sample_size: 500, judged: true });
});
