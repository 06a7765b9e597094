import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { metrics, prepareTrainingSets, simulator, trainHead } from '@gfr/core';

const config = { users: 800, items: 600, days: 8, seed: 11 };

function pearson(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  let meanA = 0;
  let meanB = 0;
  for (let i = 0; i < n; i++) {
    meanA += a[i] / n;
    meanB += b[i] / n;
  }
  let covariance = 0;
  let varianceA = 0;
  let varianceB = 0;
  for (let i = 0; i < n; i++) {
    covariance += (a[i] - meanA) * (b[i] - meanB);
    varianceA += (a[i] - meanA) ** 2;
    varianceB += (b[i] - meanB) ** 2;
  }
  return covariance / Math.sqrt(varianceA * varianceB);
}

test('the trained pCTR recovers the simulator’s true click probabilities', async () => {
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gfr-signal-'));
  const tablesDir = path.join(outDir, 'tables');
  await simulator.simulateMarketplace(config, tablesDir);
  const prepared = await prepareTrainingSets(tablesDir);

  const head = await trainHead(prepared.ctr, { rounds: 150, learningRate: 0.1 });

  const truth = new simulator.Marketplace(config);
  const test = head.testSet;
  const width = test.features.columns;
  const positionColumn = test.features.featureNames.indexOf('position');
  const trueProbabilities = test.itemIds.map((item, row) =>
    truth.clickProbability(
      test.userIds[row],
      item,
      test.features.values[row * width + positionColumn],
      test.times[row] * 1000,
    ),
  );
  const oracleAuc = metrics.rocAuc(test.labels, trueProbabilities);
  const correlation = pearson(head.testPredictions, trueProbabilities);
  process.stderr.write(
    `simulator signal: model AUC ${head.test.auc?.toFixed(4)}, oracle AUC ${oracleAuc.toFixed(4)}, ` +
      `popularity AUC ${head.baselines.popularity.auc?.toFixed(4)}, correlation with truth ${correlation.toFixed(4)}\n`,
  );

  // The model closes at least half the gap between the popularity baseline and the oracle...
  const popularityAuc = head.baselines.popularity.auc!;
  expect(head.test.auc! - popularityAuc).toBeGreaterThan(0.5 * (oracleAuc - popularityAuc));
  // ...its probabilities track the true ones, and they are calibrated on the test days.
  expect(correlation).toBeGreaterThan(0.6);
  expect(head.test.calibration_ratio!).toBeGreaterThan(0.85);
  expect(head.test.calibration_ratio!).toBeLessThan(1.15);
}, 300_000);
