import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { applyCalibration, correctNegativeDownsampling } from '../calibration';
import { PredictionInputError } from '../gbdt';
import { TrainedRanker, trainRanker } from '../pipeline/train-ranker';
import { prepareTrainingSets } from '../pipeline/training-sets';
import { simulateMarketplace } from '../simulator';
import { LoadedArtifact, loadArtifact } from './load-artifact';
import { CandidateScore, Ranker } from './ranker';

const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gfr-ranker-'));
let trained: TrainedRanker;
let artifact: LoadedArtifact;
let ranker: Ranker;
let values: Float32Array;
let rows: number;
let width: number;

beforeAll(async () => {
  const tablesDir = path.join(outDir, 'tables');
  await simulateMarketplace({ users: 300, items: 300, days: 6, seed: 11 }, tablesDir);
  trained = await trainRanker(await prepareTrainingSets(tablesDir), outDir, {
    parameters: { rounds: 20 },
  });
  artifact = await loadArtifact(trained.artifact.directory);
  ranker = new Ranker(artifact);
  const features = trained.ctr.testSet.features;
  ({ values, rows, columns: width } = features);
}, 120_000);

afterAll(() => fs.rmSync(outDir, { recursive: true, force: true }));

/** What the ranker computed before it had a batch path: reference traversal per row. */
function referenceScore(row: Float32Array): CandidateScore {
  const { ctr, cvr, manifest } = artifact;
  const calibrated = applyCalibration(ctr.calibration, ctr.model.predictProbability(row));
  const pCtr = correctNegativeDownsampling(calibrated, manifest.sampling.negative_keep_rate);
  const pCvr = cvr ? applyCalibration(cvr.calibration, cvr.model.predictProbability(row)) : 1;
  return { pCtr, pCvr, score: pCtr * pCvr };
}

function rowAt(index: number): Float32Array {
  return values.subarray(index * width, (index + 1) * width);
}

function expectSameScore(actual: CandidateScore, expected: CandidateScore, row: number): void {
  const same = (['pCtr', 'pCvr', 'score'] as const).every((key) =>
    Object.is(actual[key], expected[key]),
  );
  expect({ row, actual, same }).toEqual({ row, actual: expected, same: true });
}

test('the artifact has both heads and a test set to score', () => {
  expect(artifact.cvr).not.toBeNull();
  expect(width).toBe(ranker.featureCount);
  expect(rows).toBeGreaterThan(500);
});

test('scoreRows gives every row exactly what scoreRow gives it', () => {
  const batch = ranker.scoreRows(values, rows);
  expect(batch.pCtr).toHaveLength(rows);
  for (let row = 0; row < rows; row++) {
    expectSameScore(
      { pCtr: batch.pCtr[row], pCvr: batch.pCvr[row], score: batch.score[row] },
      ranker.scoreRow(rowAt(row)),
      row,
    );
  }
});

test('scoreRow gives exactly the reference traversal with calibration and downsampling', () => {
  for (let row = 0; row < Math.min(rows, 2_000); row++) {
    expectSameScore(ranker.scoreRow(rowAt(row)), referenceScore(rowAt(row)), row);
  }
});

test('scoreRow reads plain arrays as float32, null as missing', () => {
  const row = Array.from(rowAt(3), (value, column) => (column % 3 === 0 ? null : value + 1e-9));
  const float32 = Float32Array.from(row, (value) => value ?? NaN);
  expectSameScore(ranker.scoreRow(row as unknown as number[]), referenceScore(float32), 3);
  expect(() => ranker.scoreRow([0.5, 1])).toThrow(PredictionInputError);
});

test('a ranker built on the flat kernel scores like the compiled one', () => {
  const flat = new Ranker(artifact, { strategy: 'flat' });
  const compiled = ranker.scoreRows(values, rows);
  const fromFlat = flat.scoreRows(values, rows);
  expect(Array.from(fromFlat.score)).toEqual(Array.from(compiled.score));
});

test('warming up leaves the scores as they were', () => {
  const before = ranker.scoreRows(values, 100);
  expect(ranker.warmUp(200).lastBatchMilliseconds).toHaveLength(2);
  expect(ranker.scoreRows(values, 100)).toEqual(before);
});
