import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { describeWithSharedData, sharedDataset } from '../../../../test/support/shared-datasets';
import { DuckSession, sqlPath } from '../duckdb/database';
import { silentLogger } from '../log';
import { ingest } from './ingest';
import { IngestReport } from './report';

const rees46File = 'rees46-multicategory/2019-Oct_head.csv';
const header =
  'event_time,event_type,product_id,category_id,category_code,brand,price,user_id,user_session';

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

describeWithSharedData('rees46 adapter on the real October 2019 head', [rees46File], () => {
  const outDir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'gfr-rees46-')), 'tables');
  let report: IngestReport;

  beforeAll(async () => {
    report = await ingest({
      source: 'rees46',
      input: sharedDataset(rees46File),
      outDir,
      logger: silentLogger,
    });
  });

  afterAll(() => fs.rmSync(path.dirname(outDir), { recursive: true, force: true }));

  test('the 17,434 complete rows become events and the truncated last line is reported', () => {
    expect(report.counts.events).toBe(17_434);
    expect(report.rowsRead).toBe(17_435);
    expect(report.badRows).toEqual([
      expect.objectContaining({
        line: 17_436,
        reason: 'truncated last line (no line end): wrong number of fields: expected 9, found 8',
      }),
    ]);
  });

  test('event types match SOURCE.txt once the truncated view is left out', () => {
    // SOURCE.txt's "view 17,056" and "4,505 users" count the cut-off last line too (a view by
    // a user id cut to 52040330): 17,056 + 165 + 214 = 17,435, one more than the complete rows.
    expect(report.eventsByType).toEqual({
      impression: 0,
      click: 17_055,
      cart: 165,
      favorite: 0,
      purchase: 214,
    });
    expect(report.counts.users).toBe(4_504);
    expect(report.counts.items).toBe(6_493);
  });

  test('an item keeps brand, price and category code, with the path levels in attributes', async () => {
    const [item] = await query(
      outDir,
      `SELECT category, brand, price, attributes FROM items WHERE item_id = '3900821'`,
    );
    expect(item).toEqual({
      category: 'appliances.environment.water_heater',
      brand: 'aqua',
      price: 33.2,
      attributes: JSON.stringify({
        category_id: '2053013552326770905',
        category_code: 'appliances.environment.water_heater',
        category_level_1: 'appliances',
        category_level_2: 'environment',
        category_level_3: 'water_heater',
      }),
    });
  });

  test('an item without category code falls back to its category id and has no empty brand', async () => {
    const [item] = await query(
      outDir,
      `SELECT category, brand FROM items WHERE item_id = '44600062'`,
    );
    expect(item).toEqual({ category: '2103807459595387724', brand: 'shiseido' });
    const [emptyBrands] = await query(
      outDir,
      `SELECT count(*)::DOUBLE AS n FROM items WHERE brand = ''`,
    );
    expect(emptyBrands.n).toBe(0);
  });

  test('sessions are not stored as request ids', async () => {
    const [row] = await query(
      outDir,
      'SELECT count(request_id)::DOUBLE AS with_request FROM events',
    );
    expect(row.with_request).toBe(0);
  });
});

describe('rees46 adapter on small files', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gfr-rees46-small-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('remove_from_cart, unknown types and unparsable values are bad rows with reasons', async () => {
    const input = path.join(dir, 'events.csv');
    const rows = [
      header,
      '2019-10-01 00:00:00 UTC,view,1,10,,,5.00,7,s1',
      '2019-10-01 00:00:01 UTC,remove_from_cart,1,10,,,5.00,7,s1',
      '2019-10-01 00:00:02 UTC,wishlist,1,10,,,5.00,7,s1',
      '2019-10-01 00:00:03 UTC,cart,1,10,,,6.50,7,s1',
      'yesterday,purchase,1,10,,,6.50,7,s1',
      '2019-10-01 00:00:05 UTC,purchase,1,10,,,abc,7,s1',
      '2019-10-01 00:00:06 UTC,purchase,1,10,,,6.50,7,s1',
    ];
    fs.writeFileSync(input, rows.join('\r\n') + '\r\n');

    const report = await ingest({
      source: 'rees46',
      input,
      outDir: path.join(dir, 'out'),
      maxBadRowShare: 1,
      logger: silentLogger,
    });

    expect(report.badRows.map(({ line, reason }) => ({ line, reason }))).toEqual([
      { line: 3, reason: 'unsupported event type remove_from_cart' },
      { line: 4, reason: "unknown event_type 'wishlist' (expected view, cart or purchase)" },
      {
        line: 6,
        reason: "unparsable event_time 'yesterday' (expected e.g. 2019-10-01 00:00:00 UTC)",
      },
      { line: 7, reason: "unparsable price 'abc'" },
    ]);
    expect(report.eventsByType).toMatchObject({ click: 1, cart: 1, purchase: 1 });
    const [item] = await query(path.join(dir, 'out'), 'SELECT price, category FROM items');
    expect(item).toEqual({ price: 6.5, category: '10' });
  });
});
