/**
 * Parity with real XGBoost (1.7.4): models and predictions written by
 * scripts/xgboost-fixtures.py into testdata/xgboost, scored by every gfr scorer from both the
 * JSON and the UBJSON file, and from a SageMaker-style model.tar.gz. Margins and probabilities
 * must equal XGBoost's float32 bit for bit.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tar from 'tar';

import { CompiledEnsemble } from './compiled-ensemble';
import { FlatEnsemble } from './flat-ensemble';
import { TreeEnsemble } from './tree-ensemble';
import { readXGBoostModelBytes, readXGBoostModelFile } from './xgboost-model-file';
import { parseXGBoostJsonText, stringifyXGBoostJson } from './xgboost-json-text';

const FIXTURES = path.join(__dirname, 'testdata', 'xgboost');

/** A fixture's cases: its header line, then each row's XGBoost margin and probability. */
interface ParityCases {
  xgboost_version: string;
  trees_scored: number;
  feature_names: string[];
  rows: (number | null)[][];
  /** Float32 bit patterns, 8 hex digits. */
  margins: string[];
  probabilities: string[];
}

const SHAPES = fs
  .readdirSync(FIXTURES)
  .filter((name) => name.endsWith('.cases.jsonl'))
  .map((name) => name.replace(/\.cases\.jsonl$/, ''))
  .sort();

function readCases(shape: string): ParityCases {
  const lines = fs
    .readFileSync(path.join(FIXTURES, `${shape}.cases.jsonl`), 'utf8')
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  const cases = lines.slice(1) as { row: (number | null)[]; margin: string; probability: string }[];
  return {
    ...(lines[0] as Omit<ParityCases, 'rows' | 'margins' | 'probabilities'>),
    rows: cases.map((line) => line.row),
    margins: cases.map((line) => line.margin),
    probabilities: cases.map((line) => line.probability),
  };
}

/** The float32 whose bit pattern is the 8 hex digits. */
function float32FromHex(hex: string): number {
  const view = new DataView(new ArrayBuffer(4));
  view.setUint32(0, parseInt(hex, 16));
  return view.getFloat32(0);
}

/** Rows with NaN for missing, as doubles and as the float32 batch the fast scorers take. */
function rowsOf(cases: ParityCases): { doubles: number[][]; batch: Float32Array } {
  const doubles = cases.rows.map((row) => row.map((value) => (value === null ? NaN : value)));
  return { doubles, batch: Float32Array.from(doubles.flat()) };
}

/** The first row whose margin differs, described, or null when all are equal. */
function firstMismatch(actual: ArrayLike<number>, expectedHex: string[]): string | null {
  for (let row = 0; row < expectedHex.length; row++) {
    const expected = float32FromHex(expectedHex[row]);
    if (!Object.is(actual[row], expected)) {
      return `row ${row}: gfr ${actual[row]}, XGBoost ${expected} (${expectedHex[row]})`;
    }
  }
  return actual.length === expectedHex.length ? null : `${actual.length} results`;
}

it('has fixtures of every shape the parity tests promise', () => {
  expect(SHAPES).toEqual([
    'depth2-trees500',
    'depth3-trees60-early-stopping',
    'depth4-trees100-missing',
    'depth6-trees40-pruned',
    'depth6-trees50-missing-base0.25',
    'depth8-trees10',
  ]);
  expect(readCases(SHAPES[0]).xgboost_version).toBe('1.7.4');
});

describe.each(SHAPES)('XGBoost 1.7.4 fixture %s', (shape) => {
  const cases = readCases(shape);
  const { doubles, batch } = rowsOf(cases);

  describe.each(['json-model', 'ubj'])('loaded from .%s', (extension) => {
    const model = readXGBoostModelFile(path.join(FIXTURES, `${shape}.${extension}`));

    it('scores the trees XGBoost scored, with its feature names', () => {
      expect(model.numTrees).toBe(cases.trees_scored);
      expect(model.featureNames).toEqual(cases.feature_names);
    });

    it('gives XGBoost margins and probabilities bit for bit (reference traversal)', () => {
      expect(
        firstMismatch(
          doubles.map((row) => model.predictMargin(row)),
          cases.margins,
        ),
      ).toBe(null);
      const probabilities = doubles.map((row) => model.predictProbability(row));
      expect(firstMismatch(probabilities, cases.probabilities)).toBe(null);
    });

    it('gives XGBoost margins and probabilities bit for bit (flat and compiled scorers)', () => {
      for (const scorer of [FlatEnsemble.from(model), CompiledEnsemble.from(model)]) {
        const rows = doubles.length;
        expect(firstMismatch(scorer.predictMargins(batch, rows), cases.margins)).toBe(null);
        expect(firstMismatch(scorer.predictProbabilities(batch, rows), cases.probabilities)).toBe(
          null,
        );
      }
    });
  });
});

describe('the same model in every file form', () => {
  const shape = 'depth6-trees40-pruned';
  const cases = readCases(shape);
  const { doubles } = rowsOf(cases);
  const margins = (model: TreeEnsemble) => doubles.map((row) => model.predictMargin(row));
  let directory: string;

  beforeAll(() => {
    directory = fs.mkdtempSync(path.join(os.tmpdir(), 'gfr-xgboost-parity-'));
  });
  afterAll(() => fs.rmSync(directory, { recursive: true, force: true }));

  it('reads a SageMaker model.tar.gz holding a UBJSON xgboost-model (the 3.0-5 image)', () => {
    fs.copyFileSync(path.join(FIXTURES, `${shape}.ubj`), path.join(directory, 'xgboost-model'));
    const tarball = path.join(directory, 'model.tar.gz');
    tar.create({ gzip: true, file: tarball, cwd: directory, sync: true }, ['xgboost-model']);

    const model = readXGBoostModelFile(tarball);
    expect(firstMismatch(margins(model), cases.margins)).toBe(null);
  });

  it.each([
    ['a 2.x/3.0 scalar string', (text: string) => text],
    ['the 3.1+ array inside the string', (text: string) => `[${text}]`],
    ['a plain number', (text: string) => Number(text)],
  ])('reads base_score written as %s', (_, rewrite) => {
    const base = 'depth6-trees50-missing-base0.25';
    const baseCases = readCases(base);
    const document = parseXGBoostJsonText(
      fs.readFileSync(path.join(FIXTURES, `${base}.json-model`), 'utf8'),
    ) as { learner: { learner_model_param: { base_score: unknown } } };
    const stored = document.learner.learner_model_param.base_score as string;
    expect(stored).toBe('2.5E-1');
    document.learner.learner_model_param.base_score = rewrite(stored);

    const bytes = Buffer.from(stringifyXGBoostJson(document));
    const model = readXGBoostModelBytes(bytes, `${base} (rewritten)`);
    const rows = rowsOf(baseCases).doubles;
    expect(
      firstMismatch(
        rows.map((row) => model.predictMargin(row)),
        baseCases.margins,
      ),
    ).toBe(null);
  });

  it('has deleted nodes in the pruned fixture, so its parity covers them', () => {
    const document = JSON.parse(
      fs.readFileSync(path.join(FIXTURES, `${shape}.json-model`), 'utf8'),
    ) as {
      learner: {
        gradient_booster: { model: { trees: { tree_param: { num_deleted: string } }[] } };
      };
    };
    const deleted = document.learner.gradient_booster.model.trees.reduce(
      (sum, tree) => sum + Number(tree.tree_param.num_deleted),
      0,
    );
    expect(deleted).toBeGreaterThan(100);
  });
});
