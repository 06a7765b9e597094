import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { DuckSession, sqlPath } from '../duckdb/database';
import { silentLogger } from '../log';
import { IngestFormatError } from './errors';
import { ingest } from './ingest';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'gfr-generic-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

let folderCount = 0;
function folderWith(files: Record<string, string>): string {
  const dir = path.join(root, `input-${++folderCount}`);
  fs.mkdirSync(dir);
  for (const [name, content] of Object.entries(files))
    fs.writeFileSync(path.join(dir, name), content);
  return dir;
}

async function query(dir: string, sql: string): Promise<Record<string, unknown>[]> {
  const session = await DuckSession.open({ threads: 1 });
  try {
    for (const table of ['events', 'items', 'users']) {
      const file = sqlPath(path.join(dir, `${table}.parquet`));
      await session.run(`CREATE VIEW ${table} AS SELECT * FROM read_parquet(${file})`);
    }
    return await session.jsonRows(sql);
  } finally {
    session.close();
  }
}

/** Writes `selectSql` as a Parquet file, for inputs with typed columns. */
async function writeParquet(file: string, selectSql: string): Promise<void> {
  const session = await DuckSession.open({ threads: 1 });
  try {
    await session.run(`COPY (${selectSql}) TO ${sqlPath(file)} (FORMAT parquet)`);
  } finally {
    session.close();
  }
}

describe('generic format from CSV', () => {
  test('ISO, unix-second and unix-millisecond times give the same instant; CRLF is handled', async () => {
    const input = folderWith({
      // CRLF with `type` as the last column: a kept \r would make every type unknown.
      'events.csv': [
        'ts,user_id,item_id,type',
        '2024-03-01T10:00:00Z,u1,i1,impression',
        '1709287200,u1,i1,click',
        '1709287200000,u1,i1,purchase',
        '2024-03-01 11:00:00+01:00,u1,i1,cart',
      ].join('\r\n'),
    });
    const outDir = path.join(input, 'out');

    const report = await ingest({ source: 'generic', input, outDir, logger: silentLogger });

    expect(report.badRowCount).toBe(0);
    const rows = await query(outDir, 'SELECT DISTINCT epoch_ms(ts)::DOUBLE AS ms FROM events');
    expect(rows).toEqual([{ ms: Date.parse('2024-03-01T10:00:00Z') }]);
    expect(report.eventsByType).toEqual({
      impression: 1,
      click: 1,
      cart: 1,
      favorite: 0,
      purchase: 1,
    });
  });

  test('quoted fields with commas and quotes are read whole', async () => {
    const input = folderWith({
      'events.csv':
        'ts,user_id,item_id,type,channel\n' + '1709287200,"u,1","i ""1""",click,"a,b"\n',
      'items.csv':
        'item_id,category,brand,price\n' + '"i ""1""","shoes, running","Acme, Inc.",19.5\n',
    });
    const outDir = path.join(input, 'out');

    await ingest({ source: 'generic', input, outDir, logger: silentLogger });

    expect(await query(outDir, 'SELECT user_id, item_id, channel FROM events')).toEqual([
      { user_id: 'u,1', item_id: 'i "1"', channel: 'a,b' },
    ]);
    expect(await query(outDir, 'SELECT item_id, category, brand, price FROM items')).toEqual([
      { item_id: 'i "1"', category: 'shoes, running', brand: 'Acme, Inc.', price: 19.5 },
    ]);
  });

  test('every bad value is reported with its line and the first problem of its row', async () => {
    const input = folderWith({
      'events.csv': [
        'user_id,ts,item_id,type,position,propensity,request_id',
        'u1,1709287200,i1,impression,1,0.5,r1',
        'u1,1709287200,i1,impression,0,0.5,r1',
        'u1,1709287200,i1,impression,1,1.5,r1',
        'u1,1709287200,i1,view,1,0.5,r1',
        ',1709287200,i1,click,,,',
        'u1,not-a-time,i1,click,,,',
        'u1,1709287200,i1,click,,',
        '',
        'u1,1709287200,"i1,click,,,',
      ].join('\n'),
    });

    const report = await ingest({
      source: 'generic',
      input,
      outDir: path.join(input, 'out'),
      maxBadRowShare: 1,
      logger: silentLogger,
    });

    expect(report.badRows.map(({ line, reason }) => [line, reason])).toEqual([
      [3, "position '0' is not a positive integer"],
      [4, "propensity '1.5' is not in (0, 1]"],
      [5, "unknown type 'view' (expected impression, click, cart, favorite, purchase)"],
      [6, 'empty user_id'],
      [7, "unparsable timestamp 'not-a-time' (expected ISO 8601 or unix seconds/milliseconds)"],
      [8, 'wrong number of fields: expected 7, found 6'],
      [9, 'empty line'],
      [10, 'truncated last line (no line end): unterminated quoted field starting at column 15'],
    ]);
    expect(report.rowsRead).toBe(9);
    expect(report.counts.events).toBe(1);
  });

  test('items and users missing from their files get rows of their own, counted in notes', async () => {
    const input = folderWith({
      'events.csv': 'ts,user_id,item_id,type\n1709287200,u1,i1,click\n1709287200,u2,i2,click\n',
      'items.csv': 'item_id,category,colour\ni1,shoes,red\n',
      'users.csv': 'user_id,geo,segment\nu1,DE,new\n',
    });
    const outDir = path.join(input, 'out');

    const report = await ingest({ source: 'generic', input, outDir, logger: silentLogger });

    expect(await query(outDir, 'SELECT item_id, category, attributes FROM items')).toEqual([
      { item_id: 'i1', category: 'shoes', attributes: '{"colour":"red"}' },
      { item_id: 'i2', category: 'unknown', attributes: null },
    ]);
    expect(await query(outDir, 'SELECT user_id, geo, attributes FROM users')).toEqual([
      { user_id: 'u1', geo: 'DE', attributes: '{"segment":"new"}' },
      { user_id: 'u2', geo: null, attributes: null },
    ]);
    expect(report.notes).toEqual(
      expect.arrayContaining([
        "1 items occur in the events but not in the item data; they get category 'unknown'",
        '1 users occur in the events but not in the user data; they get a row with id only',
      ]),
    );
  });

  test('a repeated item id in the catalogue is a bad row; the first row wins', async () => {
    const input = folderWith({
      'events.csv': 'ts,user_id,item_id,type\n1709287200,u1,i1,click\n',
      'items.csv': 'item_id,category\ni1,shoes\ni1,boots\n',
    });
    const outDir = path.join(input, 'out');

    const report = await ingest({
      source: 'generic',
      input,
      outDir,
      maxBadRowShare: 1,
      logger: silentLogger,
    });

    expect(report.badRows).toEqual([
      {
        file: path.join(input, 'items.csv'),
        line: 3,
        reason: "duplicate item_id 'i1' (first on line 2)",
        text: 'i1,boots',
      },
    ]);
    expect(await query(outDir, 'SELECT category FROM items')).toEqual([{ category: 'shoes' }]);
  });

  test('a single events file without catalogues gives unknown items and id-only users', async () => {
    const dir = folderWith({ 'my-log.csv': 'ts,user_id,item_id,type\n1709287200,u1,i1,click\n' });

    const report = await ingest({
      source: 'generic',
      input: path.join(dir, 'my-log.csv'),
      outDir: path.join(dir, 'out'),
      logger: silentLogger,
    });

    expect(report.counts).toEqual({ events: 1, items: 1, users: 1 });
    expect(report.notes).toContain(
      "no item data: all 1 items of the events get category 'unknown'",
    );
  });

  test('a missing required column or two files for one table is a format error', async () => {
    const missing = folderWith({ 'events.csv': 'ts,user_id,type\n1709287200,u1,click\n' });
    await expect(
      ingest({
        source: 'generic',
        input: missing,
        outDir: path.join(missing, 'out'),
        logger: silentLogger,
      }),
    ).rejects.toThrow(
      new IngestFormatError(
        path.join(missing, 'events.csv'),
        'missing required column(s) item_id; header found: ts,user_id,type',
      ),
    );

    const both = folderWith({ 'events.csv': 'x', 'events.parquet': 'x' });
    await expect(
      ingest({
        source: 'generic',
        input: both,
        outDir: path.join(both, 'out'),
        logger: silentLogger,
      }),
    ).rejects.toThrow('both events.csv and events.parquet exist; keep one of them');
    expect(fs.existsSync(path.join(missing, 'out'))).toBe(false);
  });
});

describe('generic format from Parquet', () => {
  test('typed and text columns are checked in SQL and bad rows are reported by row number', async () => {
    const input = folderWith({});
    await writeParquet(
      path.join(input, 'events.parquet'),
      `SELECT * FROM (VALUES
         (TIMESTAMP '2024-03-01 10:00:00', 'u1', 'i1', 'impression', 1, 0.5),
         (TIMESTAMP '2024-03-01 10:00:01', 'u1', 'i1', 'click', 1, NULL),
         (NULL, 'u1', 'i1', 'click', NULL, NULL),
         (TIMESTAMP '2024-03-01 10:00:03', '', 'i1', 'click', NULL, NULL),
         (TIMESTAMP '2024-03-01 10:00:04', 'u1', 'i1', 'view', NULL, NULL),
         (TIMESTAMP '2024-03-01 10:00:05', 'u1', 'i1', 'impression', 0, 0.5),
         (TIMESTAMP '2024-03-01 10:00:06', 'u1', 'i1', 'impression', 2, 2.0)
       ) t(ts, user_id, item_id, type, position, propensity)`,
    );
    await writeParquet(
      path.join(input, 'items.parquet'),
      `SELECT * FROM (VALUES ('i1', 'shoes', 19.5, 'red'), ('i9', 'hats', -1.0, 'blue'))
         t(item_id, category, price, colour)`,
    );
    const outDir = path.join(input, 'out');

    const report = await ingest({
      source: 'generic',
      input,
      outDir,
      maxBadRowShare: 1,
      logger: silentLogger,
    });

    expect(report.badRows.map(({ line, reason }) => [line, reason])).toEqual([
      [3, 'empty ts'],
      [4, 'empty user_id'],
      [5, "unknown type 'view' (expected impression, click, cart, favorite, purchase)"],
      [6, "position '0' is not a positive integer"],
      [7, "propensity '2.0' is not in (0, 1]"],
      [2, "price '-1.0' is not at least 0"],
    ]);
    expect(report.badRows[0].text).toBe(
      '{"ts":null,"user_id":"u1","item_id":"i1","type":"click","position":null,"propensity":null}',
    );
    expect(report.files.map(({ rowsRead, badRowCount }) => [rowsRead, badRowCount])).toEqual([
      [7, 5],
      [2, 1],
    ]);
    expect(
      await query(
        outDir,
        `SELECT epoch_ms(ts)::DOUBLE AS ms, type, position, propensity FROM events ORDER BY ts`,
      ),
    ).toEqual([
      { ms: Date.parse('2024-03-01T10:00:00Z'), type: 'impression', position: 1, propensity: 0.5 },
      { ms: Date.parse('2024-03-01T10:00:01Z'), type: 'click', position: 1, propensity: null },
    ]);
    expect(await query(outDir, 'SELECT item_id, category, price, attributes FROM items')).toEqual([
      { item_id: 'i1', category: 'shoes', price: 19.5, attributes: '{"colour":"red"}' },
    ]);
  });

  test('text timestamps follow the CSV rules: zones honoured, unix seconds and ms told apart', async () => {
    const input = folderWith({});
    await writeParquet(
      path.join(input, 'events.parquet'),
      `SELECT * FROM (VALUES
         ('2024-03-01T11:00:00+01:00', 'u1', 'i1', 'click'),
         ('2024-03-01 10:00:00', 'u1', 'i2', 'click'),
         ('1709287200', 'u1', 'i3', 'click'),
         ('1709287200000', 'u1', 'i4', 'click'),
         ('2024-02-30 10:00:00', 'u1', 'i5', 'click')
       ) t(ts, user_id, item_id, type)`,
    );
    const outDir = path.join(input, 'out');

    const report = await ingest({
      source: 'generic',
      input,
      outDir,
      maxBadRowShare: 1,
      logger: silentLogger,
    });

    expect(await query(outDir, 'SELECT DISTINCT epoch_ms(ts)::DOUBLE AS ms FROM events')).toEqual([
      { ms: Date.parse('2024-03-01T10:00:00Z') },
    ]);
    expect(report.badRows.map(({ line, reason }) => [line, reason])).toEqual([
      [
        5,
        "unparsable timestamp '2024-02-30 10:00:00' (expected ISO 8601 or unix seconds/milliseconds)",
      ],
    ]);
  });
});
