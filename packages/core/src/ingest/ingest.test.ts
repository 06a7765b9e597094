import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { InputNotFoundError, InvalidArgumentError } from '../errors';
import { silentLogger } from '../log';
import { NoEventsError, TooManyBadRowsError } from './errors';
import { ingest } from './ingest';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'gfr-ingest-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

let fileCount = 0;
function taobaoFile(lines: string[]): string {
  const file = path.join(root, `taobao-${++fileCount}.csv`);
  fs.writeFileSync(file, lines.map((line) => line + '\n').join(''));
  return file;
}

const goodRow = (i: number) => `${i % 7},${1000 + i},55,pv,${1511544070 + i}`;

test('too many bad rows fail the ingest with the file, share, limit and first bad lines; nothing is written', async () => {
  const lines = Array.from({ length: 98 }, (_, i) => goodRow(i));
  lines.splice(10, 0, '1,2,3,pv');
  lines.splice(20, 0, '1,2,3,swipe,1511544070');
  const input = taobaoFile(lines);
  const outDir = path.join(root, 'failed-out');

  const failure = ingest({ source: 'taobao', input, outDir, logger: silentLogger });

  await expect(failure).rejects.toBeInstanceOf(TooManyBadRowsError);
  await failure.catch((error: TooManyBadRowsError) => {
    expect(error.code).toBe('INGEST_TOO_MANY_BAD_ROWS');
    expect(error.file).toBe(input);
    expect(error.share).toBeCloseTo(2 / 100);
    expect(error.message).toBe(
      `too many bad rows in ${input}: 2 of 100 rows (2.00 %) could not be read, above the ` +
        'limit of 1.00 % (--max-bad-share 0.01 raises it); no tables were written. First bad rows:\n' +
        '  line 11: wrong number of fields: expected 5, found 4: "1,2,3,pv"\n' +
        "  line 21: unknown behavior_type 'swipe' (expected pv, cart, fav or buy): " +
        '"1,2,3,swipe,1511544070"',
    );
  });
  expect(fs.existsSync(outDir)).toBe(false);
  expect(fs.readdirSync(root).filter((name) => name.includes('failed-out'))).toEqual([]);
});

test('a failed ingest leaves the tables of an earlier run untouched', async () => {
  const outDir = path.join(root, 'kept-out');
  await ingest({ source: 'taobao', input: taobaoFile([goodRow(1)]), outDir, logger: silentLogger });
  const before = fs.readFileSync(path.join(outDir, 'events.parquet'));

  await expect(
    ingest({
      source: 'taobao',
      input: taobaoFile([goodRow(2), 'broken']),
      outDir,
      logger: silentLogger,
    }),
  ).rejects.toBeInstanceOf(TooManyBadRowsError);

  expect(fs.readFileSync(path.join(outDir, 'events.parquet'))).toEqual(before);
});

test('a higher maxBadRowShare lets the same file through, with every bad row reported', async () => {
  const input = taobaoFile([goodRow(1), 'broken', goodRow(2)]);

  const report = await ingest({
    source: 'taobao',
    input,
    outDir: path.join(root, 'tolerant-out'),
    maxBadRowShare: 0.5,
    logger: silentLogger,
  });

  expect(report.counts.events).toBe(2);
  expect(report.badRowCount).toBe(1);
  expect(report.badRowShare).toBeCloseTo(1 / 3);
  expect(report.badRows[0]).toMatchObject({ line: 2, text: 'broken' });
});

test('beyond 1,000 bad rows the report lists the first 1,000 and counts them all', async () => {
  const lines = Array.from({ length: 1_500 }, (_, i) => `bad-${i}`);
  lines.push(goodRow(1));

  const report = await ingest({
    source: 'taobao',
    input: taobaoFile(lines),
    outDir: path.join(root, 'many-bad-out'),
    maxBadRowShare: 1,
    logger: silentLogger,
  });

  expect(report.badRowCount).toBe(1_500);
  expect(report.badRows).toHaveLength(1_000);
  expect(report.badRows[999].line).toBe(1_000);
});

test('a log without a single readable event is an error, not an empty table set', async () => {
  const input = taobaoFile(['nonsense']);

  await expect(
    ingest({
      source: 'taobao',
      input,
      outDir: path.join(root, 'empty-out'),
      maxBadRowShare: 1,
      logger: silentLogger,
    }),
  ).rejects.toThrow(new NoEventsError(input, 1));
});

test('bad options and missing inputs are rejected with what was wrong', async () => {
  const base = {
    input: taobaoFile([goodRow(1)]),
    outDir: path.join(root, 'x'),
    logger: silentLogger,
  };

  await expect(ingest({ ...base, source: 'taobao', maxBadRowShare: 2 })).rejects.toThrow(
    new InvalidArgumentError('maxBadRowShare must be in [0, 1], got 2'),
  );
  await expect(ingest({ ...base, source: 'taobao', limitRows: 0 })).rejects.toThrow(
    new InvalidArgumentError('limitRows must be a positive integer, got 0'),
  );
  await expect(ingest({ ...base, source: 'csv' as unknown as 'taobao' })).rejects.toBeInstanceOf(
    InvalidArgumentError,
  );
  await expect(
    ingest({ ...base, source: 'taobao', input: path.join(root, 'nope.csv') }),
  ).rejects.toBeInstanceOf(InputNotFoundError);
});

test('the bad-row limit applies per file, so a broken catalogue is not hidden by a clean log', async () => {
  const input = path.join(root, 'generic-broken-items');
  fs.mkdirSync(input);
  const events = Array.from({ length: 500 }, (_, i) => `${1709287200 + i},u1,i${i % 3},click`);
  fs.writeFileSync(
    path.join(input, 'events.csv'),
    ['ts,user_id,item_id,type', ...events].join('\n'),
  );
  fs.writeFileSync(path.join(input, 'items.csv'), 'item_id,price\ni0,1\ni1,free\ni2,3\n');

  await expect(
    ingest({ source: 'generic', input, outDir: path.join(input, 'out'), logger: silentLogger }),
  ).rejects.toMatchObject({
    name: 'TooManyBadRowsError',
    file: path.join(input, 'items.csv'),
    badRowCount: 1,
    rowsRead: 3,
  });
});
