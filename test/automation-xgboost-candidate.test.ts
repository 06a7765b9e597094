/**
 * A candidate trained by real XGBoost (Debian's 1.7.4 through /usr/bin/python3, saved as UBJSON
 * under SageMaker's entry name `xgboost-model`, in a model.tar.gz) goes through the image's
 * evaluate step: the served artifact's pCTR head predicts exactly what XGBoost predicts.
 *
 * Skipped, saying why, when that XGBoost is not installed, unless GFR_REQUIRE_XGBOOST=1.
 */
import {
  loadArtifact,
  prepareTrainingSets,
  selectPart,
  silentLogger,
  simulator,
  writeTrainingSets,
} from '@gfr/core';
import { containerMain, processingLayout } from '@gfr/inference-image';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tar from 'tar';

const PYTHON = '/usr/bin/python3';

function xgboostUnavailable(): string | null {
  if (!fs.existsSync(PYTHON)) return `${PYTHON} does not exist`;
  const probe = spawnSync(PYTHON, ['-c', 'import xgboost'], { encoding: 'utf8' });
  return probe.status === 0 ? null : `${PYTHON} cannot import xgboost: ${probe.stderr.trim()}`;
}

const unavailable = xgboostUnavailable();
if (unavailable && process.env.GFR_REQUIRE_XGBOOST === '1') {
  throw new Error(`GFR_REQUIRE_XGBOOST=1 but ${unavailable}`);
}
if (unavailable) process.stderr.write(`skipping the XGBoost candidate test: ${unavailable}\n`);
const describeWithXGBoost = unavailable ? describe.skip : describe;

/** Trains as SageMaker's XGBoost would on the train and validation rows; predicts the test rows. */
const XGBOOST_SIDE = `
import json, sys
import numpy as np, xgboost as xgb
folder, columns = sys.argv[1], int(sys.argv[2])
load = lambda name: np.fromfile(f'{folder}/{name}', dtype='<f4')
matrix = lambda part: xgb.DMatrix(load(part + '.rows').reshape(-1, columns),
                                  label=load(part + '.labels'), missing=np.nan)
train, validation, test = matrix('train'), matrix('validation'), matrix('test')
booster = xgb.train({'objective': 'binary:logistic', 'eta': 0.2, 'max_depth': 4,
                     'eval_metric': ['auc', 'logloss']}, train, num_boost_round=25,
                    evals=[(validation, 'validation')], verbose_eval=False)
booster.save_model(f'{folder}/model.ubj')
print(json.dumps([float(p) for p in booster.predict(test)]))
`;

describeWithXGBoost('evaluate on a real XGBoost model', () => {
  test('packages xgboost-model (UBJSON in model.tar.gz) into an artifact that predicts as XGBoost does', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'gfr-xgboost-candidate-'));
    const layout = processingLayout(root);
    const tables = path.join(root, 'tables');
    await simulator.simulateMarketplace({ users: 250, items: 250, days: 5, seed: 4 }, tables);
    const prepared = await prepareTrainingSets(tables);
    await writeTrainingSets(path.join(layout.trainingSetsInput, 'gfr'), prepared);

    const exchange = path.join(root, 'exchange');
    fs.mkdirSync(exchange);
    for (const part of ['train', 'validation', 'test'] as const) {
      const rows = selectPart(prepared.ctr, part);
      fs.writeFileSync(
        path.join(exchange, `${part}.rows`),
        Buffer.from(rows.features.values.buffer),
      );
      fs.writeFileSync(path.join(exchange, `${part}.labels`), Buffer.from(rows.labels.buffer));
    }
    const python = spawnSync(
      PYTHON,
      ['-c', XGBOOST_SIDE, exchange, String(prepared.ctr.features.columns)],
      { encoding: 'utf8' },
    );
    if (python.status !== 0) throw new Error(`XGBoost failed: ${python.stderr}`);
    const xgboostPredictions = JSON.parse(python.stdout) as number[];

    // SageMaker's 3.0-5 image writes UBJSON under this name and tars it.
    fs.mkdirSync(layout.modelInput, { recursive: true });
    fs.copyFileSync(path.join(exchange, 'model.ubj'), path.join(exchange, 'xgboost-model'));
    await tar.create(
      { gzip: true, file: path.join(layout.modelInput, 'model.tar.gz'), cwd: exchange },
      ['xgboost-model'],
    );

    const code = await containerMain(['evaluate'], {
      env: { GFR_OPT_ML: root },
      logger: silentLogger,
      stop: new AbortController().signal,
    });

    expect(code).toBe(0);
    const report = JSON.parse(
      fs.readFileSync(path.join(layout.artifactOutput, 'report.json'), 'utf8'),
    );
    expect(report.trainer).toBe('xgboost');
    const artifact = await loadArtifact(path.join(layout.artifactOutput, 'model.tar.gz'));
    const test = selectPart(prepared.ctr, 'test');
    const ours = artifact.ctr.model.predictProbabilities(test.features);
    expect(ours.length).toBe(xgboostPredictions.length);
    let largest = 0;
    ours.forEach((p, row) => (largest = Math.max(largest, Math.abs(p - xgboostPredictions[row]))));
    expect(largest).toBeLessThan(1e-6);
    expect(report.models.ctr.test.rows).toBe(test.labels.length);
    fs.rmSync(root, { recursive: true, force: true });
  }, 240_000);
});
