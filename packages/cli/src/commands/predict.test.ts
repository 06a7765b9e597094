import { Command } from 'commander';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tar from 'tar';
import { loadArtifact } from '@gfr/core';

import {
  SmallArtifact,
  trainSmallArtifact,
} from '../../../../inference-image/test-support/small-artifact';
import { predictCommand } from './predict';

const FIXTURES = path.join(
  __dirname,
  '..',
  '..',
  '..',
  'core',
  'src',
  'gbdt',
  'testdata',
  'xgboost',
);
const SHAPE = 'depth4-trees100-missing';

interface FixtureCase {
  row: (number | null)[];
  margin: string;
  probability: string;
}

let directory: string;
let featureNames: string[];
let cases: FixtureCase[];

beforeAll(() => {
  directory = fs.mkdtempSync(path.join(os.tmpdir(), 'gfr-predict-'));
  const lines = fs
    .readFileSync(path.join(FIXTURES, `${SHAPE}.cases.jsonl`), 'utf8')
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line));
  featureNames = lines[0].feature_names;
  cases = lines.slice(1);
});
afterAll(() => fs.rmSync(directory, { recursive: true, force: true }));

/** `gfr predict …` as main.ts runs it, with stdout captured; resolves to stdout's text. */
async function predict(args: string[]): Promise<string> {
  const printed: string[] = [];
  const write = jest
    .spyOn(process.stdout, 'write')
    .mockImplementation((chunk: string | Uint8Array) => {
      printed.push(String(chunk));
      return true;
    });
  const program = new Command('gfr').option('--json').option('--quiet').option('--verbose');
  program.addCommand(predictCommand().exitOverride());
  program.exitOverride();
  try {
    await program.parseAsync(['node', 'gfr', ...args]);
  } finally {
    write.mockRestore();
  }
  return printed.join('');
}

function float32FromHex(hex: string): number {
  const view = new DataView(new ArrayBuffer(4));
  view.setUint32(0, parseInt(hex, 16));
  return view.getFloat32(0);
}

/** Writes the fixture's rows as CSV with `header` (decimal doubles, empty = missing). */
function writeCsv(name: string, header: string[], order: number[]): string {
  const file = path.join(directory, name);
  const body = cases.map(({ row }) =>
    order.map((feature) => (row[feature] === null ? '' : String(row[feature]))).join(','),
  );
  fs.writeFileSync(file, [header.join(','), ...body].join('\n') + '\n');
  return file;
}

type Predictions = { predictions: { line: number; probability?: number; margin?: number }[] };

it("prints XGBoost's probabilities bit for bit for a UBJSON model and a header of names", async () => {
  const order = featureNames.map((_, i) => i);
  const input = writeCsv('names.csv', featureNames, order);
  const model = path.join(FIXTURES, `${SHAPE}.ubj`);

  const result = JSON.parse(
    await predict(['--json', 'predict', '--model', model, '--input', input]),
  ) as Predictions & { rows: number };

  expect(result.rows).toBe(cases.length);
  expect(result.predictions[0].line).toBe(2);
  expect(result.predictions.map((p) => p.probability)).toEqual(
    cases.map((c) => float32FromHex(c.probability)),
  );
});

it('reads a header of indices in any order, empty cells missing, and prints margins', async () => {
  const order = featureNames.map((_, i) => featureNames.length - 1 - i);
  const input = writeCsv('indices.csv', order.map(String), order);
  const model = path.join(FIXTURES, `${SHAPE}.json-model`);
  expect(cases.some(({ row }) => row.includes(null))).toBe(true);

  const result = JSON.parse(
    await predict(['--json', 'predict', '--model', model, '--input', input, '--margin']),
  ) as Predictions;

  expect(result.predictions.map((p) => p.margin)).toEqual(
    cases.map((c) => float32FromHex(c.margin)),
  );
});

it('scores from a SageMaker model.tar.gz and prints CSV of line and probability', async () => {
  fs.copyFileSync(path.join(FIXTURES, `${SHAPE}.ubj`), path.join(directory, 'xgboost-model'));
  const tarball = path.join(directory, 'model.tar.gz');
  tar.create({ gzip: true, file: tarball, cwd: directory, sync: true }, ['xgboost-model']);
  const input = writeCsv(
    'tarball.csv',
    featureNames,
    featureNames.map((_, i) => i),
  );

  const lines = (await predict(['predict', '--model', tarball, '--input', input]))
    .trimEnd()
    .split('\n');

  expect(lines[0]).toBe('line,probability');
  expect(lines).toHaveLength(cases.length + 1);
  const [line, probability] = lines[1].split(',');
  expect(line).toBe('2');
  expect(Math.fround(Number(probability))).toBe(float32FromHex(cases[0].probability));
});

it('names every bad cell by line and column, and scores nothing', async () => {
  const input = path.join(directory, 'bad.csv');
  const good = cases[0].row.map((value) => (value === null ? '' : String(value)));
  const badValue = [...good];
  badValue[2] = 'abc';
  const infinite = [...good];
  infinite[5] = 'Infinity';
  const hexadecimal = [...good];
  hexadecimal[0] = '0x1A';
  fs.writeFileSync(
    input,
    [featureNames.join(','), good, badValue, good.slice(1), infinite, hexadecimal]
      .map(String)
      .join('\n'),
  );
  const model = path.join(FIXTURES, `${SHAPE}.ubj`);

  await expect(predict(['predict', '--model', model, '--input', input])).rejects.toThrow(
    new RegExp(
      `bad\\.csv: 4 bad cells: line 3, column 3 \\(user_purchases\\): 'abc' is not a finite ` +
        `decimal number; line 4: 11 cells, the header has 12; line 5, column 6 ` +
        `\\(user_category_clicks\\): 'Infinity' is not a finite decimal number; line 6, column 1 ` +
        `\\([a-z_]+\\): '0x1A'`,
    ),
  );
});

it('refuses a header that lacks a feature or names an unknown one', async () => {
  const model = path.join(FIXTURES, `${SHAPE}.ubj`);
  const lacking = writeCsv(
    'lacking.csv',
    featureNames.slice(1),
    featureNames.slice(1).map((_, i) => i + 1),
  );
  await expect(predict(['predict', '--model', model, '--input', lacking])).rejects.toThrow(
    /line 1: the header lacks 1 of the model's features \(position\)/,
  );
  const unknown = writeCsv(
    'unknown.csv',
    ['clicks', ...featureNames.slice(1)],
    featureNames.map((_, i) => i),
  );
  await expect(predict(['predict', '--model', model, '--input', unknown])).rejects.toThrow(
    /line 1, column 1: 'clicks' is not one of the model's features/,
  );
});

it('refuses --head for a plain XGBoost model', async () => {
  const input = writeCsv(
    'head.csv',
    featureNames,
    featureNames.map((_, i) => i),
  );
  const model = path.join(FIXTURES, `${SHAPE}.ubj`);
  await expect(
    predict(['predict', '--model', model, '--input', input, '--head', 'cvr']),
  ).rejects.toThrow(/--head applies to gfr artifacts/);
});

describe('with a gfr artifact', () => {
  let artifact: SmallArtifact;

  beforeAll(async () => {
    artifact = await trainSmallArtifact();
  }, 120_000);

  it.each(['ctr', 'cvr'] as const)('scores the %s head', async (head) => {
    const loaded = await loadArtifact(artifact.modelDir);
    const model = loaded[head]!.model;
    const names = model.featureNames;
    const rows = [names.map((_, i) => i % 3), names.map(() => NaN)];
    const input = path.join(directory, `artifact-${head}.csv`);
    const text = rows.map((row) => row.map((v) => (Number.isNaN(v) ? '' : v)).join(','));
    fs.writeFileSync(input, [names.join(','), ...text].join('\n'));

    const result = JSON.parse(
      await predict([
        '--json',
        'predict',
        '--model',
        artifact.modelDir,
        '--input',
        input,
        '--head',
        head,
      ]),
    ) as Predictions & { model: { kind: string; head: string } };

    expect(result.model).toMatchObject({ kind: 'artifact', head });
    expect(result.predictions.map((p) => p.probability)).toEqual(
      rows.map((row) => model.predictProbability(row)),
    );
  });
});
