import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { CanonicalEvent } from '../canonical/schema';
import { CanonicalTableWriter } from '../canonical/table-writer';
import { DuckSession } from '../duckdb/database';
import { buildAggregateStates, registerCanonicalTables } from './aggregate-sql';
import { FeatureSettings, featureIndex } from './feature-spec';
import { computeExampleFeatures } from './point-in-time';
import { createVectorizer } from './vectorize';

const hour = 3600;
const start = Date.parse('2024-03-01T00:00:00Z');
const at = (hours: number) => new Date(start + hours * hour * 1000);
const seconds = (hours: number) => start / 1000 + hours * hour;

const settings: FeatureSettings = {
  halfLifeSeconds: 10 * hour,
  ctrPriorImpressions: 50,
  purchasePriorClicks: 20,
  vocabularies: { user_geo: ['DE', 'FR'], user_acquisition_channel: ['organic'] },
};

/** Events of a tiny marketplace: u1 clicks shoes twice, buys once; u2 views a bag. */
function baseEvents(): CanonicalEvent[] {
  return [
    { ts: at(0), user_id: 'u1', item_id: 'shoe-1', type: 'impression', position: 1 },
    { ts: at(0), user_id: 'u1', item_id: 'shoe-1', type: 'click', position: 1 },
    { ts: at(1), user_id: 'u1', item_id: 'shoe-2', type: 'click' },
    { ts: at(2), user_id: 'u1', item_id: 'shoe-2', type: 'purchase' },
    { ts: at(3), user_id: 'u2', item_id: 'bag-1', type: 'impression', position: 2 },
    { ts: at(10), user_id: 'u1', item_id: 'bag-1', type: 'click' },
  ];
}

async function featuresAt(events: CanonicalEvent[], examples: [string, string, number][]) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gfr-pit-'));
  const writer = await CanonicalTableWriter.open();
  events.forEach((event) => writer.addEvent(event));
  writer.addItem({ item_id: 'shoe-1', category: 'shoes', brand: 'acme', price: 40 });
  writer.addItem({ item_id: 'shoe-2', category: 'shoes', brand: 'zeta', price: 60 });
  writer.addItem({ item_id: 'bag-1', category: 'bags', brand: 'acme', price: 100 });
  writer.addUser({ user_id: 'u1', geo: 'FR', acquisition_channel: 'organic' });
  writer.addUser({ user_id: 'u2', geo: 'US' });
  await writer.finish(path.join(dir, 'tables'));

  const session = await DuckSession.open();
  try {
    await registerCanonicalTables(session, path.join(dir, 'tables'));
    await buildAggregateStates(session, settings.halfLifeSeconds);
    await session.run(`CREATE TABLE examples (example_id BIGINT, t DOUBLE, user_id VARCHAR,
      item_id VARCHAR, position INTEGER)`);
    for (const [index, [user, item, hours]] of examples.entries()) {
      await session.run(
        `INSERT INTO examples VALUES (${index}, ${seconds(hours)}, '${user}', '${item}', NULL)`,
      );
    }
    return (await computeExampleFeatures(session, 'examples', createVectorizer(settings))).features;
  } finally {
    session.close();
  }
}

const value = (features: { values: Float32Array; columns: number }, row: number, name: string) =>
  features.values[row * features.columns + featureIndex(name)];

test('features at time t count only events strictly before t', async () => {
  const features = await featuresAt(baseEvents(), [
    ['u1', 'shoe-2', 0],
    ['u1', 'shoe-2', 1],
    ['u1', 'shoe-2', 1.5],
    ['u1', 'bag-1', 12],
  ]);

  expect(value(features, 0, 'user_clicks')).toBe(0);
  expect(value(features, 1, 'user_clicks')).toBe(1);
  expect(value(features, 1, 'user_item_clicks')).toBe(0);
  expect(value(features, 2, 'user_clicks')).toBe(2);
  expect(value(features, 2, 'user_item_clicks')).toBe(1);
  expect(value(features, 2, 'user_category_clicks')).toBe(2);
  expect(value(features, 2, 'user_brand_clicks')).toBe(1);
  expect(value(features, 3, 'user_item_clicks')).toBe(1);
  expect(value(features, 3, 'user_category_clicks')).toBe(1); // bag-1 clicked at hour 10
  expect(value(features, 3, 'user_purchases')).toBe(1);
  expect(value(features, 3, 'item_impressions')).toBe(1);
  expect(value(features, 3, 'user_geo')).toBe(1);
  expect(value(features, 3, 'user_acquisition_channel')).toBe(0);
});

test('decayed counts halve every half-life and shares and prices compare to the user', async () => {
  const features = await featuresAt(baseEvents(), [['u1', 'shoe-1', 11]]);

  // Clicks at hours 0 and 1 in shoes; at hour 11 they are 11 and 10 hours old (half-life 10 h).
  const expectedCategory = Math.pow(2, -1.1) + Math.pow(2, -1);
  expect(value(features, 0, 'user_category_clicks_decayed')).toBeCloseTo(expectedCategory, 5);
  const expectedUser = expectedCategory + Math.pow(2, -0.1);
  expect(value(features, 0, 'user_category_click_share')).toBeCloseTo(
    expectedCategory / expectedUser,
    5,
  );
  const meanLogPrice = (Math.log(40) + Math.log(60) + Math.log(100)) / 3;
  expect(value(features, 0, 'price_vs_user')).toBeCloseTo(Math.log(41) - meanLogPrice, 5);
  expect(value(features, 0, 'user_hours_since_last_click')).toBeCloseTo(1, 5);
  expect(value(features, 0, 'item_age_days')).toBeCloseTo(11 / 24, 5);
});

test('changing or adding events at or after t changes no feature at t', async () => {
  const examples: [string, string, number][] = [
    ['u1', 'shoe-1', 1],
    ['u1', 'shoe-2', 2],
    ['u2', 'bag-1', 3],
    ['u1', 'bag-1', 10],
  ];
  const original = await featuresAt(baseEvents(), examples);
  const row = (features: { values: Float32Array; columns: number }, index: number) =>
    Array.from(features.values.subarray(index * features.columns, (index + 1) * features.columns));

  for (const [index, [, , cutoff]] of examples.entries()) {
    const rewritten = baseEvents()
      .filter((event) => event.ts.getTime() < at(cutoff).getTime())
      .concat([
        { ts: at(cutoff), user_id: 'u1', item_id: 'shoe-1', type: 'purchase' },
        { ts: at(cutoff), user_id: 'u2', item_id: 'bag-1', type: 'click' },
        { ts: at(cutoff + 0.5), user_id: 'u1', item_id: 'bag-1', type: 'impression' },
        { ts: at(50), user_id: 'u1', item_id: 'shoe-2', type: 'click' },
      ]);

    const altered = await featuresAt(rewritten, examples);

    expect(row(altered, index)).toEqual(row(original, index));
    // The rewrite is visible to later examples, so the test would catch a leak.
    if (index < examples.length - 1) {
      expect(Array.from(altered.values)).not.toEqual(Array.from(original.values));
    }
  }
});
