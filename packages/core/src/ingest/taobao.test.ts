import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { describeWithSharedData, sharedDataset } from '../../../../test/support/shared-datasets';
import { DuckSession, sqlPath } from '../duckdb/database';
import { silentLogger } from '../log';
import { ingest } from './ingest';
import { IngestReport } from './report';

const taobaoFile = 'taobao-userbehavior/UserBehavior_head.csv';

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

describeWithSharedData('taobao adapter on the real UserBehavior head', [taobaoFile], () => {
  const outDir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'gfr-taobao-')), 'tables');
  let report: IngestReport;
  const progress: [number, number, number][] = [];

  beforeAll(async () => {
    report = await ingest({
      source: 'taobao',
      input: sharedDataset(taobaoFile),
      outDir,
      logger: silentLogger,
      onProgress: (rows, bytes, total) => progress.push([rows, bytes, total]),
    });
  });

  afterAll(() => fs.rmSync(path.dirname(outDir), { recursive: true, force: true }));

  test('every complete row becomes an event with the counts SOURCE.txt gives', () => {
    expect(report.counts).toEqual({ events: 84_475, items: 55_368, users: 815 });
    expect(report.eventsByType).toEqual({
      impression: 0,
      click: 75_872,
      cart: 4_497,
      favorite: 2_356,
      purchase: 1_750,
    });
  });

  test('the truncated last line is the one bad row, with its line number and reason', () => {
    expect(report.badRowCount).toBe(1);
    expect(report.badRows).toEqual([
      {
        file: sharedDataset(taobaoFile),
        line: 84_476,
        reason: 'truncated last line (no line end): wrong number of fields: expected 5, found 4',
        text: '100370,1968385,1875258,pv',
      },
    ]);
    // Every line is accounted for: 84,476 lines = 84,475 events + 1 bad row.
    expect(report.rowsRead).toBe(84_476);
  });

  test('far-off timestamps are kept and counted in the notes', async () => {
    const [earliest] = await query(
      outDir,
      `SELECT strftime(min(ts), '%Y-%m-%d %H:%M:%S') AS ts FROM events`,
    );
    expect(earliest.ts).toBe('2017-09-11 08:16:39');
    expect(report.timeRange).toEqual({
      start: '2017-09-11T08:16:39.000Z',
      end: '2017-12-03T15:59:23.000Z',
    });
    // The note's count is checked against the stored events with the note's own window.
    const note = report.notes.find((text) => text.includes('outside the main window'));
    const match = /^(\d+) events .* window (\S+) \.\. (\S+) /.exec(note ?? '');
    expect(match).not.toBeNull();
    const [, count, windowStart, windowEnd] = match as RegExpExecArray;
    const day = 24 * 3600 * 1000;
    const [outside] = await query(
      outDir,
      `SELECT count(*)::DOUBLE AS n FROM events
       WHERE epoch_ms(ts) < ${Date.parse(windowStart) - day}
          OR epoch_ms(ts) > ${Date.parse(windowEnd) + day}`,
    );
    expect(Number(count)).toBe(outside.n);
    expect(Number(count)).toBeGreaterThan(0);
  });

  test('the report says impressions are missing and how pv was mapped', () => {
    expect(report.notes).toContain(
      'no impressions in this log: impressions must be reconstructed for pCTR',
    );
    expect(report.notes.some((note) => note.includes('pv (item detail page view)'))).toBe(true);
  });

  test('items carry their category and nothing the log does not have', async () => {
    const [item] = await query(
      outDir,
      `SELECT category, brand, price, created_at FROM items WHERE item_id = '2268318'`,
    );
    expect(item).toEqual({ category: '2520377', brand: null, price: null, created_at: null });
    const [categories] = await query(
      outDir,
      'SELECT count(DISTINCT category)::DOUBLE AS n FROM items',
    );
    expect(categories.n).toBe(2_914);
  });

  test('the first row of the file is stored as a click at its unix time', async () => {
    const rows = await query(
      outDir,
      `SELECT type, epoch_ms(ts)::DOUBLE AS ms, position, request_id FROM events
       WHERE user_id = '1' AND item_id = '2268318'`,
    );
    expect(rows).toEqual([
      { type: 'click', ms: 1_511_544_070_000, position: null, request_id: null },
    ]);
  });

  test('progress ends with every row and every byte of the file', () => {
    const size = fs.statSync(sharedDataset(taobaoFile)).size;
    expect(progress[progress.length - 1]).toEqual([84_476, size, size]);
  });

  test('limitRows reads only the first rows and says so', async () => {
    const limitedDir = path.join(path.dirname(outDir), 'limited');

    const limited = await ingest({
      source: 'taobao',
      input: sharedDataset(taobaoFile),
      outDir: limitedDir,
      limitRows: 1_000,
      logger: silentLogger,
    });

    expect(limited.rowsRead).toBe(1_000);
    expect(limited.counts.events).toBe(1_000);
    expect(limited.badRowCount).toBe(0);
    expect(limited.notes.some((note) => note.includes('stopped after 1000 data rows'))).toBe(true);
  });
});
