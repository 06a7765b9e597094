/**
 * Models trained by gfr's own trainer, loaded into real XGBoost (Debian's python3-xgboost,
 * through /usr/bin/python3 in a child process): XGBoost's margins and probabilities must equal
 * gfr's bit for bit, on rows with missing values and values exactly on split thresholds. The
 * model XGBoost saves back as UBJSON must read into the same scores too.
 *
 * Skipped, saying why, when that XGBoost is not installed, unless GFR_REQUIRE_XGBOOST=1.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gbdt } from '@gfr/core';

const PYTHON = '/usr/bin/python3';

/** Why XGBoost cannot be used here, or null when it can. */
function xgboostUnavailable(): string | null {
  if (!fs.existsSync(PYTHON)) return `${PYTHON} does not exist`;
  const probe = spawnSync(PYTHON, ['-c', 'import xgboost; print(xgboost.__version__)'], {
    encoding: 'utf8',
  });
  return probe.status === 0 ? null : `${PYTHON} cannot import xgboost: ${probe.stderr.trim()}`;
}

const unavailable = xgboostUnavailable();
if (unavailable && process.env.GFR_REQUIRE_XGBOOST === '1') {
  throw new Error(`GFR_REQUIRE_XGBOOST=1 but ${unavailable}`);
}
if (unavailable) {
  process.stderr.write(`skipping the XGBoost round-trip tests: ${unavailable}\n`);
}
const describeWithXGBoost = unavailable ? describe.skip : describe;

/** Loads `model` in XGBoost, predicts `rows` (float32 file), saves the model as UBJSON. */
const XGBOOST_SIDE = `
import json, sys
import numpy as np, xgboost as xgb
model, rows_file, columns, ubj = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
booster = xgb.Booster()
booster.load_model(model)
rows = np.fromfile(rows_file, dtype='<f4').reshape(-1, columns)
matrix = xgb.DMatrix(rows, missing=np.nan, feature_names=booster.feature_names)
hexes = lambda values: ['%08x' % v for v in np.asarray(values, dtype='<f4').view('<u4')]
booster.save_model(ubj)
print(json.dumps({'version': xgb.__version__, 'trees': booster.num_boosted_rounds(),
                  'margins': hexes(booster.predict(matrix, output_margin=True)),
                  'probabilities': hexes(booster.predict(matrix))}))
`;

function float32FromHex(hex: string): number {
  const view = new DataView(new ArrayBuffer(4));
  view.setUint32(0, parseInt(hex, 16));
  return view.getFloat32(0);
}

/** Test rows: random ones, then rows with one feature moved exactly onto a split threshold. */
function rowsWithThresholds(model: gbdt.TreeEnsemble, columns: number): Float32Array {
  const random = gbdt.syntheticBinarySet(600, columns, 77).matrix.values;
  const document = model.toXGBoostJson();
  const splits = document.learner.gradient_booster.model.trees.flatMap((tree) =>
    tree.left_children.flatMap((left, node) =>
      left === -1 ? [] : [[tree.split_indices[node], tree.split_conditions[node]] as const],
    ),
  );
  for (let row = 200; row < 600; row++) {
    const [feature, threshold] = splits[(row * 7919) % splits.length];
    // Every second row sits exactly on the threshold, the others one float32 step below it.
    const below = new Float32Array([threshold]);
    new Uint32Array(below.buffer)[0] += threshold > 0 ? -1 : 1;
    random[row * columns + feature] = row % 2 === 0 ? threshold : below[0];
  }
  return random;
}

describeWithXGBoost('a model trained by gfr, in real XGBoost', () => {
  let directory: string;
  beforeAll(() => {
    directory = fs.mkdtempSync(path.join(os.tmpdir(), 'gfr-xgboost-roundtrip-'));
  });
  afterAll(() => fs.rmSync(directory, { recursive: true, force: true }));

  it.each([
    ['depth 3, 40 trees, base score from the labels', { rounds: 40, maxDepth: 3 }],
    [
      'depth 6, 25 trees, subsampled, base score 0.3',
      { rounds: 25, maxDepth: 6, rowSubsample: 0.8, columnSubsample: 0.7, baseScore: 0.3 },
    ],
  ])('gives the same margins and probabilities bit for bit (%s)', async (name, parameters) => {
    const columns = 7;
    const train = gbdt.syntheticBinarySet(4_000, columns, 5);
    const { model } = await gbdt.trainGbdt(train, {
      parameters: { ...parameters, threads: 1, learningRate: 0.3 },
    });
    const rows = rowsWithThresholds(model, columns);
    const modelFile = path.join(directory, `${name.slice(0, 7)}.json`);
    const rowsFile = path.join(directory, 'rows.f32');
    const ubjFile = path.join(directory, `${name.slice(0, 7)}-from-xgboost.ubj`);
    fs.writeFileSync(modelFile, model.toXGBoostJsonText());
    fs.writeFileSync(rowsFile, new Uint8Array(rows.buffer));

    const child = spawnSync(
      PYTHON,
      ['-c', XGBOOST_SIDE, modelFile, rowsFile, String(columns), ubjFile],
      { encoding: 'utf8' },
    );
    expect(child.stderr).not.toMatch(/Error/);
    expect(child.status).toBe(0);
    const xgboost = JSON.parse(child.stdout) as {
      trees: number;
      margins: string[];
      probabilities: string[];
    };

    const matrix = { values: rows, rows: rows.length / columns, columns, featureNames: [] };
    const margins = Array.from(model.predictMargins(matrix));
    const probabilities = Array.from(model.predictProbabilities(matrix));
    expect(xgboost.trees).toBe(model.numTrees);
    expect(margins).toEqual(xgboost.margins.map(float32FromHex));
    expect(probabilities).toEqual(xgboost.probabilities.map(float32FromHex));

    const reloaded = gbdt.readXGBoostModelFile(ubjFile);
    expect(Array.from(reloaded.predictMargins(matrix))).toEqual(margins);
  });
});
