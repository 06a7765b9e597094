import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { DuckSession, sqlPath } from '../duckdb/database';
import { CanonicalTableWriter } from './table-writer';

test('canonical rows round-trip through Parquet with nulls and timestamps intact', async () => {
  const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'gfr-writer-')), 'tables');
  const writer = await CanonicalTableWriter.open();
  writer.addEvent({
    ts: new Date('2024-01-02T03:04:05.678Z'),
    user_id: 'u1',
    item_id: 'i1',
    type: 'click',
  });
  writer.addEvent({
    ts: new Date('2024-01-01T00:00:00Z'),
    user_id: 'u1',
    item_id: 'i2',
    type: 'impression',
    position: 3,
    propensity: 0.25,
  });
  writer.addItem({ item_id: 'i1', category: 'shoes', price: 19.5 });
  writer.addUser({ user_id: 'u1', geo: 'DE' });

  const counts = await writer.finish(dir);

  expect(counts).toEqual({ events: 2, items: 1, users: 1 });
  expect(fs.readdirSync(dir).sort()).toEqual(['events.parquet', 'items.parquet', 'users.parquet']);
  const session = await DuckSession.open();
  const events = await session.jsonRows(
    `SELECT epoch_ms(ts)::DOUBLE AS ms, item_id, type, position, propensity
     FROM read_parquet(${sqlPath(path.join(dir, 'events.parquet'))})`,
  );
  session.close();
  expect(events).toEqual([
    {
      ms: Date.parse('2024-01-01T00:00:00Z'),
      item_id: 'i2',
      type: 'impression',
      position: 3,
      propensity: 0.25,
    },
    {
      ms: Date.parse('2024-01-02T03:04:05.678Z'),
      item_id: 'i1',
      type: 'click',
      position: null,
      propensity: null,
    },
  ]);
});

test('a repeated item id is refused by name and leaves no tables behind', async () => {
  const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'gfr-writer-')), 'tables');
  const writer = await CanonicalTableWriter.open();
  writer.addItem({ item_id: 'i1', category: 'shoes' });
  writer.addItem({ item_id: 'i1', category: 'bags' });

  await expect(writer.finish(dir)).rejects.toThrow(
    'items ids must be unique; repeated: "i1" (2 rows)',
  );
  expect(fs.existsSync(dir)).toBe(false);
});
