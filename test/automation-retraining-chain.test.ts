/**
 * The retraining chain's container steps on one machine, in SageMaker's folder layout: process
 * builds the window's training sets (gfr's and XGBoost's shards), gfr's training job trains on
 * them, and evaluate turns either trainer's output into the served artifact and report.json.
 */
import {
  Logger,
  TrainingWindow,
  computeRetrainWindow,
  eventTimeSpan,
  loadArtifact,
  readTrainingSets,
  silentLogger,
  simulator,
  DuckSession,
  sqlPath,
} from '@gfr/core';
import { containerMain, processingLayout, runTrainingJob } from '@gfr/inference-image';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tar from 'tar';

let root: string;
let window: TrainingWindow;
const output = { write: () => true };

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'gfr-chain-'));
  const layout = processingLayout(root);
  await simulator.simulateMarketplace(
    { users: 250, items: 250, days: 6, seed: 21 },
    layout.canonicalInput,
  );
  const span = await eventTimeSpan(layout.canonicalInput);
  window = computeRetrainWindow(span.start, span.end, {
    trainDays: 3,
    validationDays: 1,
    testDays: 1,
    gapHours: 0,
  });
}, 60_000);

afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const run = (args: string[]) =>
  containerMain(args, {
    env: { GFR_OPT_ML: root },
    logger: silentLogger,
    stop: new AbortController().signal,
    usageOutput: output,
  });

test('process writes the window’s training sets and XGBoost shards with the label first', async () => {
  expect(await run(['process', '--window', JSON.stringify(window), '--shards', '3'])).toBe(0);

  const sets = path.join(processingLayout(root).trainingSetsOutput, 'gfr');
  const prepared = await readTrainingSets(sets);
  const firstExample = Math.min(...prepared.ctr.times) * 1000;
  expect(firstExample).toBeGreaterThanOrEqual(Date.parse(window.trainStart));
  expect(Math.max(...prepared.ctr.times) * 1000).toBeLessThan(Date.parse(window.testEnd));

  const shards = path.join(processingLayout(root).trainingSetsOutput, 'xgboost', 'train');
  expect(fs.readdirSync(shards).sort()).toEqual([
    'part-00000.parquet',
    'part-00001.parquet',
    'part-00002.parquet',
  ]);
  const session = await DuckSession.open();
  try {
    const rows = await session.jsonRows(
      `SELECT count(*) AS n FROM read_parquet(${sqlPath(path.join(shards, '*.parquet'))})`,
    );
    const trainRows = prepared.ctr.parts.filter((part) => part === 'train').length;
    expect(Number(rows[0].n)).toBe(trainRows);
    const described = await session.jsonRows(
      `DESCRIBE SELECT * FROM read_parquet(${sqlPath(path.join(shards, 'part-00000.parquet'))})`,
    );
    expect(described[0].column_name).toBe('label');
    expect(described.length).toBe(1 + prepared.ctr.features.columns);
  } finally {
    session.close();
  }
}, 120_000);

test('gfr’s training job trains on the processed sets and evaluate packages either trainer’s output', async () => {
  const layout = processingLayout(root);

  // gfr's trainer: the process step's gfr/ folder is the train channel.
  const trainingRoot = path.join(root, 'training');
  fs.mkdirSync(path.join(trainingRoot, 'input', 'config'), { recursive: true });
  fs.writeFileSync(
    path.join(trainingRoot, 'input', 'config', 'hyperparameters.json'),
    JSON.stringify({ num_round: '15' }),
  );
  fs.mkdirSync(path.join(trainingRoot, 'input', 'data'), { recursive: true });
  fs.cpSync(
    path.join(layout.trainingSetsOutput, 'gfr'),
    path.join(trainingRoot, 'input', 'data', 'train'),
    {
      recursive: true,
    },
  );
  expect(
    await runTrainingJob({ root: trainingRoot, logger: silentLogger, metricsOutput: output }),
  ).toBe(0);

  // What SageMaker does between the steps: tar model/, hand the sets over.
  fs.mkdirSync(layout.modelInput, { recursive: true });
  const modelDir = path.join(trainingRoot, 'model');
  await tar.create(
    { gzip: true, file: path.join(layout.modelInput, 'model.tar.gz'), cwd: modelDir },
    fs.readdirSync(modelDir),
  );
  fs.cpSync(layout.trainingSetsOutput, layout.trainingSetsInput, { recursive: true });

  expect(await run(['evaluate'])).toBe(0);
  const gfrReport = JSON.parse(
    fs.readFileSync(path.join(layout.artifactOutput, 'report.json'), 'utf8'),
  );
  expect(gfrReport.trainer).toBe('gfr');
  expect(gfrReport.models.ctr.test.auc).toBeGreaterThan(0.5);
  const served = await loadArtifact(path.join(layout.artifactOutput, 'model.tar.gz'));
  expect(served.manifest.model_version).toBe(gfrReport.model_version);

  // SageMaker's XGBoost output: a bare xgboost-model (here the same trees, in XGBoost's JSON).
  fs.rmSync(layout.modelInput, { recursive: true });
  fs.rmSync(layout.artifactOutput, { recursive: true });
  fs.mkdirSync(layout.modelInput, { recursive: true });
  fs.copyFileSync(
    path.join(modelDir, 'ctr-model.json'),
    path.join(layout.modelInput, 'xgboost-model'),
  );

  expect(await run(['evaluate'])).toBe(0);
  const xgboostReport = JSON.parse(
    fs.readFileSync(path.join(layout.artifactOutput, 'report.json'), 'utf8'),
  );
  expect(xgboostReport.trainer).toBe('xgboost');
  // Same trees, calibrated on the same validation days: the same ranking quality.
  expect(xgboostReport.models.ctr.test.auc).toBeCloseTo(gfrReport.models.ctr.test.auc, 10);
  const packaged = await loadArtifact(path.join(layout.artifactOutput, 'model.tar.gz'));
  expect(packaged.featureDistributions.length).toBe(served.featureDistributions.length);
  expect(packaged.manifest.parameters).toMatchObject({ trainer: 'sagemaker-xgboost' });
}, 240_000);

test('process without a window is a usage error naming what it needs', async () => {
  const messages: string[] = [];
  const code = await containerMain(['process'], {
    env: { GFR_OPT_ML: root },
    logger: new Logger({}, 'error', { write: (line: string) => messages.push(line) }),
    stop: new AbortController().signal,
  });

  expect(code).toBe(1);
  expect(messages.join('')).toMatch(/process needs the window: --window/);
});
