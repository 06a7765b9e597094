import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { DuckSession, sqlPath } from '../duckdb/database';
import { InputNotFoundError } from '../errors';
import { TrainingWindow } from './retrain-window';
import { writeWindowTables } from './window-tables';

const window: TrainingWindow = {
  trainStart: '2026-11-01T00:00:00.000Z',
  validationStart: '2026-11-03T00:00:00.000Z',
  testStart: '2026-11-04T00:00:00.000Z',
  testEnd: '2026-11-05T00:00:00.000Z',
  gapHours: 0,
};

let root: string;

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'gfr-window-tables-'));
});

afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

/** Canonical tables of `hours` hourly impressions from 31 October; `users` is optional. */
async function writeTables(tablesDir: string, hours: number, withUsers: boolean): Promise<void> {
  fs.mkdirSync(tablesDir, { recursive: true });
  const session = await DuckSession.open();
  try {
    await session.run(`COPY (SELECT TIMESTAMP '2026-10-31 00:00:00' + INTERVAL (i) HOUR AS ts,
        'u' || (i % 5) AS user_id, 'i' || (i % 7) AS item_id, 'impression' AS type,
        (i % 3)::INTEGER AS position, 'search' AS channel, 'r' || i AS request_id,
        NULL::DOUBLE AS propensity FROM range(${hours}) r(i))
      TO ${sqlPath(path.join(tablesDir, 'events.parquet'))} (FORMAT parquet)`);
    await session.run(`COPY (SELECT 'i' || i AS item_id, 'c' AS category, 'b' AS brand,
        1.5 AS price, TIMESTAMP '2026-10-01' AS created_at, NULL::DOUBLE AS rating,
        NULL::DOUBLE AS discount, NULL::VARCHAR AS attributes FROM range(7) r(i))
      TO ${sqlPath(path.join(tablesDir, 'items.parquet'))} (FORMAT parquet)`);
    if (withUsers) {
      await session.run(`COPY (SELECT 'u' || i AS user_id, 'x' AS geo, 'ads' AS acquisition_channel,
          NULL::VARCHAR AS attributes FROM range(5) r(i))
        TO ${sqlPath(path.join(tablesDir, 'users.parquet'))} (FORMAT parquet)`);
    }
  } finally {
    session.close();
  }
}

test('writes the events of the window and all items and users', async () => {
  const tablesDir = path.join(root, 'tables');
  await writeTables(tablesDir, 24 * 6, true);
  const outDir = path.join(root, 'window');

  const cut = await writeWindowTables(tablesDir, window, outDir);

  // 31 October is before the window and 5 November after it: four whole days remain.
  expect(cut.events).toBe(24 * 4);
  expect(fs.readdirSync(outDir).sort()).toEqual([
    'events.parquet',
    'items.parquet',
    'users.parquet',
  ]);
  expect(fs.readdirSync(root).sort()).toEqual(['tables', 'window']);
});

test('a failure after some tables are written leaves the output folder as it was', async () => {
  const tablesDir = path.join(root, 'tables');
  // No users table: events and items are written before the missing table is found.
  await writeTables(tablesDir, 24 * 6, false);
  const outDir = path.join(root, 'window');
  fs.mkdirSync(outDir);

  await expect(writeWindowTables(tablesDir, window, outDir)).rejects.toBeInstanceOf(
    InputNotFoundError,
  );

  expect(fs.readdirSync(outDir)).toEqual([]);
  expect(fs.readdirSync(root).sort()).toEqual(['tables', 'window']);
});

test('a window without events leaves no output that looks like one', async () => {
  const tablesDir = path.join(root, 'tables');
  await writeTables(tablesDir, 12, true);
  const outDir = path.join(root, 'window');

  await expect(writeWindowTables(tablesDir, window, outDir)).rejects.toThrow(/no events/);

  expect(fs.existsSync(outDir)).toBe(false);
  expect(fs.readdirSync(root)).toEqual(['tables']);
});
