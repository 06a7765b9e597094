import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { describeWithSharedData, sharedDataset } from '../../../../test/support/shared-datasets';
import { DuckSession, sqlPath } from '../duckdb/database';
import { silentLogger } from '../log';
import { ingest } from './ingest';
import { IngestReport } from './report';

const menFolder = 'open-bandit-zozotown/bts/men';

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

describeWithSharedData('open-bandit adapter on the real bts/men sample', [menFolder], () => {
  const outDir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'gfr-obd-')), 'tables');
  let report: IngestReport;

  beforeAll(async () => {
    report = await ingest({
      source: 'open-bandit',
      input: sharedDataset(menFolder),
      outDir,
      logger: silentLogger,
    });
  });

  afterAll(() => fs.rmSync(path.dirname(outDir), { recursive: true, force: true }));

  test('every row is an impression and the 69 clicked rows add a click', () => {
    expect(report.eventsByType).toEqual({
      impression: 10_000,
      click: 69,
      cart: 0,
      favorite: 0,
      purchase: 0,
    });
    expect(report.badRowCount).toBe(0);
    expect(report.files.map(({ rowsRead }) => rowsRead)).toEqual([10_000, 34]);
    expect(report.counts.items).toBe(34);
  });

  test('each click shares time, position, request and propensity with its impression', async () => {
    const [row] = await query(
      outDir,
      `SELECT count(*)::DOUBLE AS matched FROM events c JOIN events i
         ON i.type = 'impression' AND i.ts = c.ts AND i.user_id = c.user_id
        AND i.item_id = c.item_id AND i.position = c.position AND i.request_id = c.request_id
        AND i.propensity = c.propensity
       WHERE c.type = 'click'`,
    );
    expect(row.matched).toBe(69);
  });

  test('users are a stable hash of the four hashed features, which stay in attributes', async () => {
    // The first row's features, from the file itself.
    const features = [
      'cef3390ed299c09874189c387777674a',
      '2d03db5543b14483e52d761760686b64',
      'c2e4f76cdbabecd33b8c762aeef386b3',
      'c39b0c7dd5d4eb9a18e7db6ba2f258f8',
    ];
    const expectedId =
      'obd-' + createHash('sha256').update(features.join('\u001f')).digest('hex').slice(0, 16);
    const [user] = await query(outDir, `SELECT * FROM users WHERE user_id = '${expectedId}'`);
    expect(user).toEqual({
      user_id: expectedId,
      geo: null,
      acquisition_channel: null,
      attributes: JSON.stringify({
        user_feature_0: features[0],
        user_feature_1: features[1],
        user_feature_2: features[2],
        user_feature_3: features[3],
      }),
    });
    expect(report.counts.users).toBe(238);
  });

  test('rows sharing a timestamp share a request; the sample has only two such pairs', async () => {
    const rows = await query(
      outDir,
      `SELECT request_id, list(position ORDER BY position) AS positions FROM events
       WHERE type = 'impression' GROUP BY request_id HAVING count(*) > 1 ORDER BY request_id`,
    );
    expect(rows).toEqual([
      { request_id: 'men@2019-11-28 12:48:23.809544+00:00', positions: [1, 2] },
      { request_id: 'men@2019-11-30 00:33:43.074257+00:00', positions: [1, 3] },
    ]);
    expect(report.notes).toContain(
      'impressions form 9998 requests (request_id); 2 of them hold more than one impression ' +
        '(at most 2)',
    );
  });

  test('items take category and brand from the hashed features; the standardised one is no price', async () => {
    const [item] = await query(outDir, `SELECT * FROM items WHERE item_id = '0'`);
    expect(item).toMatchObject({
      category: 'c82d13885d8bf7a3b8b9fa6f0842ba60',
      brand: '088abf8a8657959e46ac19af8da80d15',
      price: null,
    });
    expect(JSON.parse(String(item.attributes))).toEqual({
      item_feature_0: -0.6771831139635117,
      item_feature_1: 'c82d13885d8bf7a3b8b9fa6f0842ba60',
      item_feature_2: '088abf8a8657959e46ac19af8da80d15',
      item_feature_3: '8ea65bc866b36a8f00ae913e0c3acc29',
    });
  });

  test('the report says there is no purchase label', () => {
    expect(report.notes).toContain('no purchases in this log: pCVR cannot be learnt from it');
    expect(report.notes).not.toContain(
      'no impressions in this log: impressions must be reconstructed for pCTR',
    );
  });
});

describe('open-bandit adapter on a small campaign folder', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gfr-obd-small-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('bad clicks, positions and propensities are reported; items missing from the context are unknown', async () => {
    const campaign = path.join(dir, 'kids');
    fs.mkdirSync(campaign);
    const features = 'a,b,c,d';
    const header =
      ',timestamp,item_id,position,click,propensity_score,' +
      'user_feature_0,user_feature_1,user_feature_2,user_feature_3,user-item_affinity_0';
    fs.writeFileSync(
      path.join(campaign, 'kids.csv'),
      [
        header,
        `0,2019-11-24 00:00:01.000001+00:00,0,1,1,0.25,${features},0.0`,
        `1,2019-11-24 00:00:02.000001+00:00,7,2,0,0.25,${features},0.0`,
        `2,2019-11-24 00:00:03.000001+00:00,0,1,2,0.25,${features},0.0`,
        `3,2019-11-24 00:00:04.000001+00:00,0,0,0,0.25,${features},0.0`,
        `4,2019-11-24 00:00:05.000001+00:00,0,1,0,0,${features},0.0`,
      ].join('\n') + '\n',
    );
    fs.writeFileSync(
      path.join(campaign, 'item_context.csv'),
      ',item_id,item_feature_0,item_feature_1,item_feature_2,item_feature_3\n0,0,0.5,cat,brand,x\n',
    );
    const outDir = path.join(dir, 'out');

    const report = await ingest({
      source: 'open-bandit',
      input: campaign,
      outDir,
      maxBadRowShare: 1,
      logger: silentLogger,
    });

    expect(report.badRows.map(({ line, reason }) => [line, reason])).toEqual([
      [4, "click '2' is not 0 or 1"],
      [5, "position '0' is not a positive integer"],
      [6, "propensity_score '0' is not in (0, 1]"],
    ]);
    expect(report.eventsByType).toMatchObject({ impression: 2, click: 1 });
    expect(await query(outDir, 'SELECT item_id, category FROM items ORDER BY item_id')).toEqual([
      { item_id: '0', category: 'cat' },
      { item_id: '7', category: 'unknown' },
    ]);
    expect(report.notes).toContain(
      "1 items occur in the events but not in the item data; they get category 'unknown'",
    );
  });
});
