import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { CanonicalEvent } from '../canonical/schema';
import { CanonicalTableWriter } from '../canonical/table-writer';
import { DuckSession } from '../duckdb/database';
import { registerCanonicalTables } from '../features/aggregate-sql';
import {
  buildClickExamples,
  buildPurchaseExamples,
  defaultExampleSettings,
} from './click-examples';

const start = Date.parse('2024-03-01T00:00:00Z');
const at = (minutes: number) => new Date(start + minutes * 60_000);

async function sessionWith(events: CanonicalEvent[], items: [string, string][]) {
  const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'gfr-examples-')), 'tables');
  const writer = await CanonicalTableWriter.open();
  events.forEach((event) => writer.addEvent(event));
  items.forEach(([item_id, category]) => writer.addItem({ item_id, category }));
  await writer.finish(dir);
  const session = await DuckSession.open();
  await registerCanonicalTables(session, dir);
  return session;
}

test('logged impressions are labelled by the click of the same request and by purchases', async () => {
  const session = await sessionWith(
    [
      { ts: at(0), user_id: 'u1', item_id: 'a', type: 'impression', position: 1, request_id: 'r1' },
      { ts: at(0), user_id: 'u1', item_id: 'b', type: 'impression', position: 2, request_id: 'r1' },
      { ts: at(1), user_id: 'u1', item_id: 'b', type: 'click', request_id: 'r1' },
      { ts: at(5), user_id: 'u1', item_id: 'b', type: 'purchase' },
      {
        ts: at(60),
        user_id: 'u1',
        item_id: 'b',
        type: 'impression',
        position: 1,
        request_id: 'r2',
      },
    ],
    [
      ['a', 'x'],
      ['b', 'y'],
    ],
  );

  const clicks = await buildClickExamples(session, defaultExampleSettings);
  const purchases = await buildPurchaseExamples(session, defaultExampleSettings);
  const rows = await session.jsonRows(
    'SELECT request_id, item_id, position, label, purchased FROM click_examples ORDER BY example_id',
  );
  session.close();

  expect(clicks).toEqual({ reconstructed: false, examples: 3, clicks: 1, negativeKeepRate: 1 });
  expect(purchases).toEqual({ examples: 1, purchases: 1 });
  expect(rows).toEqual([
    { request_id: 'r1', item_id: 'a', position: 1, label: 0, purchased: 0 },
    { request_id: 'r1', item_id: 'b', position: 2, label: 1, purchased: 1 },
    { request_id: 'r2', item_id: 'b', position: 1, label: 0, purchased: 0 },
  ]);
});

test('reconstructed impressions sample catalogue items, never the clicked one', async () => {
  const events: CanonicalEvent[] = [];
  const items: [string, string][] = [];
  for (let minute = 0; minute < 300; minute++) {
    const item = `i${minute % 60}`;
    events.push({ ts: at(minute), user_id: `u${minute % 7}`, item_id: item, type: 'click' });
  }
  for (let index = 0; index < 60; index++) items.push([`i${index}`, `c${index % 5}`]);
  const session = await sessionWith(events, items);

  const summary = await buildClickExamples(session, defaultExampleSettings);
  const [check] = await session.jsonRows(`
    SELECT count(*) FILTER (WHERE label = 0)::DOUBLE AS negatives,
      count(*) FILTER (WHERE label = 0 AND item_id NOT IN (SELECT item_id FROM items))::DOUBLE
        AS outside_catalogue,
      count(DISTINCT request_id) FILTER (WHERE label = 0)::DOUBLE AS feeds_with_negatives,
      count(*) FILTER (WHERE label = 0 AND EXISTS (
        SELECT 1 FROM click_examples p WHERE p.request_id = x.request_id AND p.label = 1
          AND p.item_id = x.item_id))::DOUBLE AS clicked_as_negative
    FROM click_examples x`);
  session.close();

  expect(summary.reconstructed).toBe(true);
  expect(summary.clicks).toBe(300);
  // Four distinct negatives for every click, all from the 60-item catalogue.
  expect(check.negatives).toBe(300 * 4);
  expect(check.feeds_with_negatives).toBe(300);
  expect(check.outside_catalogue).toBe(0);
  expect(check.clicked_as_negative).toBe(0);
  expect(summary.negativeKeepRate).toBeCloseTo(4 / 19, 10);
});
