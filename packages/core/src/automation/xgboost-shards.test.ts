import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { DuckSession, sqlPath } from '../duckdb/database';
import { featureNames } from '../features/feature-spec';
import { writeXGBoostShards } from './xgboost-shards';

let root: string;
let examplesFile: string;

beforeEach(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'gfr-xgboost-shards-'));
  examplesFile = path.join(root, 'ctr-examples.parquet');
  const features = featureNames.map((name) => `i::DOUBLE AS "f_${name}"`).join(', ');
  const session = await DuckSession.open();
  try {
    // 40 examples, every fourth one in validation.
    await session.run(`COPY (SELECT (i % 2)::INTEGER AS label, ${features}, i AS t,
        'r' || i AS request_id, 'i' || i AS item_id,
        CASE WHEN i % 4 = 0 THEN 'validation' ELSE 'train' END AS part FROM range(40) r(i))
      TO ${sqlPath(examplesFile)} (FORMAT parquet)`);
  } finally {
    session.close();
  }
});

afterEach(() => {
  jest.restoreAllMocks();
  fs.rmSync(root, { recursive: true, force: true });
});

async function countRows(file: string): Promise<number> {
  const session = await DuckSession.open();
  try {
    const [row] = await session.jsonRows(
      `SELECT count(*) AS n FROM read_parquet(${sqlPath(file)})`,
    );
    return Number(row.n);
  } finally {
    session.close();
  }
}

test('deals the examples out to the shards of each channel', async () => {
  const outDir = path.join(root, 'xgboost');

  const rows = await writeXGBoostShards(examplesFile, outDir, 2);

  expect(rows).toEqual({ train: 30, validation: 10 });
  expect(fs.readdirSync(path.join(outDir, 'train')).sort()).toEqual([
    'part-00000.parquet',
    'part-00001.parquet',
  ]);
  expect(await countRows(path.join(outDir, 'train', 'part-00000.parquet'))).toBe(15);
  expect(await countRows(path.join(outDir, 'validation', 'part-00001.parquet'))).toBe(5);
  expect(fs.readdirSync(root).sort()).toEqual(['ctr-examples.parquet', 'xgboost']);
});

test('a failure mid-write keeps the previous shards and leaves no partial channel', async () => {
  const outDir = path.join(root, 'xgboost');
  await writeXGBoostShards(examplesFile, outDir, 2);
  const previous = fs.statSync(path.join(outDir, 'train', 'part-00000.parquet')).mtimeMs;

  // The fourth COPY (the first validation shard) fails after the three train shards are written.
  const run = DuckSession.prototype.run;
  let copies = 0;
  jest.spyOn(DuckSession.prototype, 'run').mockImplementation(function (this: DuckSession, sql) {
    if (sql.trimStart().startsWith('COPY') && ++copies === 4) {
      return Promise.reject(new Error('disk full'));
    }
    return run.call(this, sql);
  });

  await expect(writeXGBoostShards(examplesFile, outDir, 3)).rejects.toThrow('disk full');

  expect(copies).toBe(4);
  expect(fs.readdirSync(path.join(outDir, 'train')).sort()).toEqual([
    'part-00000.parquet',
    'part-00001.parquet',
  ]);
  expect(fs.statSync(path.join(outDir, 'train', 'part-00000.parquet')).mtimeMs).toBe(previous);
  expect(fs.readdirSync(root).sort()).toEqual(['ctr-examples.parquet', 'xgboost']);
});
