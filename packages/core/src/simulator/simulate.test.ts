import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { DuckSession, sqlPath } from '../duckdb/database';
import { SimulationOutputError } from './errors';
import { SimulationProgress, groundTruthFileName, simulateMarketplace } from './simulate';

const testConfig = { seed: 5, users: 500, items: 400, days: 6 };
const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gfr-simulator-'));

afterAll(() => fs.rmSync(workDir, { recursive: true, force: true }));

/** Runs `sql` over the tables in `dir`, exposed as views `events`, `items` and `users`. */
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

/** One digest over every row of the three tables, independent of row order in the files. */
async function tablesChecksum(dir: string): Promise<string> {
  const [row] = await query(
    dir,
    `SELECT
       (SELECT md5(string_agg(concat_ws('|', epoch_us(ts), user_id, item_id, type, position,
          channel, request_id, propensity), ';' ORDER BY ts, user_id, item_id, type, request_id))
        FROM events) AS events,
       (SELECT md5(string_agg(concat_ws('|', item_id, category, brand, price,
          epoch_us(created_at), rating, discount), ';' ORDER BY item_id)) FROM items) AS items,
       (SELECT md5(string_agg(concat_ws('|', user_id, geo, acquisition_channel, attributes), ';'
          ORDER BY user_id)) FROM users) AS users`,
  );
  return `${row.events}/${row.items}/${row.users}`;
}

describe('a simulated marketplace written as canonical tables', () => {
  const dir = path.join(workDir, 'seed-5');
  const progress: SimulationProgress[] = [];
  let report: Awaited<ReturnType<typeof simulateMarketplace>>;

  beforeAll(async () => {
    report = await simulateMarketplace(testConfig, dir, {
      onProgress: (entry) => progress.push(entry),
    });
  });

  test('writes the three tables and the ground truth with matching counts', async () => {
    const [counts] = await query(
      dir,
      `SELECT (SELECT count(*) FROM events)::DOUBLE AS events,
              (SELECT count(*) FROM events WHERE type = 'impression')::DOUBLE AS impressions,
              (SELECT count(*) FROM events WHERE type = 'click')::DOUBLE AS clicks,
              (SELECT count(*) FROM events WHERE type = 'purchase')::DOUBLE AS purchases,
              (SELECT count(*) FROM items)::DOUBLE AS items,
              (SELECT count(*) FROM users)::DOUBLE AS users`,
    );
    const groundTruth = JSON.parse(fs.readFileSync(path.join(dir, groundTruthFileName), 'utf8'));

    expect(fs.readdirSync(dir).sort()).toEqual([
      'events.parquet',
      'ground-truth.json',
      'items.parquet',
      'users.parquet',
    ]);
    expect(counts.items).toBe(400);
    expect(counts.users).toBe(500);
    expect(counts.events).toBe(report.tables.events);
    expect(groundTruth.config).toMatchObject(testConfig);
    expect(groundTruth.summary.impressions).toBe(counts.impressions);
    expect(groundTruth.summary.clicks).toBe(counts.clicks);
    expect(groundTruth.summary.purchases).toBe(counts.purchases);
    expect(groundTruth.model.click.positionDecay).toBe(0.7);
  });

  test('reports progress once per simulated day', () => {
    expect(progress.map((entry) => entry.day)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(progress[5].impressions).toBe(report.summary.impressions);
  });

  test('every click has an impression of its item to its user in its request', async () => {
    const [row] = await query(
      dir,
      `SELECT count(*)::DOUBLE AS orphans FROM events c
       WHERE c.type = 'click' AND NOT EXISTS (
         SELECT 1 FROM events i WHERE i.type = 'impression' AND i.request_id = c.request_id
           AND i.user_id = c.user_id AND i.item_id = c.item_id AND i.ts <= c.ts)`,
    );

    expect(report.summary.clicks).toBeGreaterThan(1000);
    expect(row.orphans).toBe(0);
  });

  test('every purchase and every cart follows a click of its user on its item', async () => {
    const [row] = await query(
      dir,
      `SELECT count(*) FILTER (WHERE type = 'purchase')::DOUBLE AS purchases,
              count(*) FILTER (WHERE type = 'cart')::DOUBLE AS carts,
              count(*) FILTER (WHERE NOT EXISTS (
                SELECT 1 FROM events c WHERE c.type = 'click' AND c.user_id = e.user_id
                  AND c.item_id = e.item_id AND c.request_id = e.request_id AND c.ts < e.ts
              ))::DOUBLE AS orphans
       FROM events e WHERE type IN ('purchase', 'cart')`,
    );

    expect(row.purchases).toBeGreaterThan(50);
    expect(row.carts).toBeGreaterThan(20);
    expect(row.orphans).toBe(0);
  });

  test('no item is shown before its launch, though some launch during the period', async () => {
    const [row] = await query(
      dir,
      `SELECT count(*) FILTER (WHERE e.ts < i.created_at)::DOUBLE AS early,
              count(DISTINCT e.item_id) FILTER (WHERE i.created_at > TIMESTAMP '2024-03-01')::DOUBLE
                AS new_items_shown
       FROM events e JOIN items i USING (item_id) WHERE e.type = 'impression'`,
    );

    expect(row.new_items_shown).toBeGreaterThan(10);
    expect(row.early).toBe(0);
  });

  test('position bias is visible: CTR at position 1 > position 5 > position 10', async () => {
    const rows = await query(
      dir,
      `SELECT position,
         count(*) FILTER (WHERE type = 'click') / count(*) FILTER (WHERE type = 'impression') AS ctr
       FROM events WHERE position IN (1, 5, 10) GROUP BY position ORDER BY position`,
    );
    const [first, fifth, tenth] = rows.map((row) => Number(row.ctr));

    expect(first).toBeGreaterThan(1.5 * fifth);
    expect(fifth).toBeGreaterThan(1.2 * tenth);
  });

  test('CTR is within 3–8 % and CVR after a click within 5–15 %', () => {
    expect(report.summary.ctr).toBeGreaterThan(0.03);
    expect(report.summary.ctr).toBeLessThan(0.08);
    expect(report.summary.cvr).toBeGreaterThan(0.05);
    expect(report.summary.cvr).toBeLessThan(0.15);
  });

  test('clicks are learnable from point-in-time category history, discount, rating', async () => {
    const [row] = await query(
      dir,
      `WITH clicks AS (
         SELECT e.user_id, e.ts, i.category FROM events e JOIN items i USING (item_id)
         WHERE e.type = 'click'),
       shown AS (
         SELECT e.request_id, e.item_id, e.user_id, e.ts, i.category, i.discount, i.rating,
           EXISTS (SELECT 1 FROM clicks c WHERE c.user_id = e.user_id
                   AND c.category = i.category AND c.ts < e.ts) AS known_category,
           EXISTS (SELECT 1 FROM events c WHERE c.type = 'click' AND c.request_id = e.request_id
                   AND c.item_id = e.item_id)::INT AS clicked
         FROM events e JOIN items i USING (item_id) WHERE e.type = 'impression')
       SELECT avg(clicked) FILTER (WHERE known_category) AS known,
              avg(clicked) FILTER (WHERE NOT known_category) AS unknown,
              avg(clicked) FILTER (WHERE discount >= 0.2) AS discounted,
              avg(clicked) FILTER (WHERE discount = 0) AS full_price,
              avg(clicked) FILTER (WHERE rating >= 4.4) AS well_rated,
              avg(clicked) FILTER (WHERE rating < 3.6) AS poorly_rated
       FROM shown`,
    );

    expect(Number(row.known)).toBeGreaterThan(2 * Number(row.unknown));
    expect(Number(row.discounted)).toBeGreaterThan(1.1 * Number(row.full_price));
    expect(Number(row.well_rated)).toBeGreaterThan(1.3 * Number(row.poorly_rated));
  });

  test('the same seed writes identical tables and another seed different ones', async () => {
    const again = path.join(workDir, 'seed-5-again');
    const other = path.join(workDir, 'seed-6');
    await simulateMarketplace(testConfig, again);
    await simulateMarketplace({ ...testConfig, seed: 6 }, other);
    const checksum = await tablesChecksum(dir);

    expect(await tablesChecksum(again)).toBe(checksum);
    expect(fs.readFileSync(path.join(again, groundTruthFileName), 'utf8')).toBe(
      fs.readFileSync(path.join(dir, groundTruthFileName), 'utf8'),
    );
    const [events, items, users] = (await tablesChecksum(other)).split('/');
    const [sameEvents, sameItems, sameUsers] = checksum.split('/');
    expect(events).not.toBe(sameEvents);
    expect(items).not.toBe(sameItems);
    expect(users).not.toBe(sameUsers);
  });
});

test('a folder that cannot be created fails with an output error naming it', async () => {
  const blocker = path.join(workDir, 'not-a-folder');
  fs.writeFileSync(blocker, 'a file where the parent folder should be');
  const outDir = path.join(blocker, 'tables');

  const attempt = simulateMarketplace({ users: 20, items: 40, days: 1 }, outDir);

  await expect(attempt).rejects.toThrow(SimulationOutputError);
  await expect(attempt).rejects.toThrow(`could not write the simulated marketplace to ${outDir}`);
});
