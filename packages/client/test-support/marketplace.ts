import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  CanonicalTableWriter,
  DuckSession,
  FeatureSettings,
  buildVocabularies,
  defaultHalfLifeSeconds,
  registerCanonicalTables,
  simulator,
} from '@gfr/core';

/** A fresh temporary folder for one test file. */
export function temporaryDirectory(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `gfr-client-${prefix}-`));
}

/** Simulates a small marketplace into `<dir>/tables` and returns that folder. */
export async function simulateTables(
  dir: string,
  config: { users: number; items: number; days: number; seed: number },
): Promise<string> {
  const tablesDir = path.join(dir, 'tables');
  await simulator.simulateMarketplace(config, tablesDir);
  return tablesDir;
}

/** Feature settings as training would choose them for these tables. */
export async function featureSettingsFor(tablesDir: string): Promise<FeatureSettings> {
  const session = await DuckSession.open({ threads: 1 });
  try {
    await registerCanonicalTables(session, tablesDir);
    const [span] = await session.jsonRows('SELECT min(t) AS low, max(t) AS high FROM event_facts');
    return {
      halfLifeSeconds: defaultHalfLifeSeconds(Number(span.high) - Number(span.low)),
      ctrPriorImpressions: 50,
      purchasePriorClicks: 20,
      vocabularies: await buildVocabularies(session),
    };
  } finally {
    session.close();
  }
}

const hour = 3600;
const start = Date.parse('2024-03-01T00:00:00Z');
const at = (hours: number) => new Date(start + hours * hour * 1000);

/**
 * A hand-made log full of edge cases the simulator never produces: an item logged but absent
 * from the catalogue, items without brand, price, rating or creation time, a negative price, a
 * category named `constructor`, a user logged but without profile, a user with a profile and
 * no events, a purchase without a click, several events at one instant.
 */
export async function writeEdgeCaseTables(dir: string): Promise<string> {
  const tablesDir = path.join(dir, 'edge-tables');
  const writer = await CanonicalTableWriter.open();
  const event = (hours: number, user: string, item: string, type: string, position?: number) =>
    writer.addEvent({
      ts: at(hours),
      user_id: user,
      item_id: item,
      type: type as 'click',
      position: position ?? null,
    });
  event(0, 'u1', 'shoe-1', 'impression', 1);
  event(0, 'u1', 'shoe-1', 'click', 1);
  event(0, 'u1', 'shoe-2', 'impression', 2);
  event(1, 'u1', 'shoe-2', 'click');
  event(2, 'u1', 'shoe-2', 'purchase');
  event(3, 'u2', 'bag-1', 'impression', 2);
  event(3, 'u2', 'ghost-item', 'click', 3);
  event(5, 'u3', 'odd-1', 'purchase');
  event(6, 'u3', 'odd-1', 'click');
  event(6, 'u3', 'cheap-1', 'click');
  event(8, 'u1', 'bag-1', 'click');
  event(8, 'u1', 'bag-1', 'cart');
  event(20, 'u2', 'shoe-1', 'click');
  event(30, 'u1', 'odd-1', 'click');
  event(31, 'u3', 'odd-2', 'click');
  writer.addItem({
    item_id: 'shoe-1',
    category: 'shoes',
    brand: 'acme',
    price: 40,
    rating: 4.5,
    discount: 0.1,
    created_at: at(-48),
  });
  writer.addItem({ item_id: 'shoe-2', category: 'shoes', brand: 'zeta', price: 60, rating: 3 });
  writer.addItem({ item_id: 'bag-1', category: 'bags', brand: 'acme', price: 100, discount: 0.5 });
  writer.addItem({ item_id: 'odd-1', category: 'constructor', brand: 'toString', price: null });
  writer.addItem({ item_id: 'odd-2', category: 'hats', brand: '__proto__', price: 9 });
  writer.addItem({ item_id: 'cheap-1', category: 'bags', price: -3, created_at: at(4) });
  writer.addItem({ item_id: 'unseen-1', category: 'hats', brand: 'acme', price: 15 });
  writer.addUser({ user_id: 'u1', geo: 'FR', acquisition_channel: 'organic' });
  writer.addUser({ user_id: 'u2', geo: 'US' });
  writer.addUser({ user_id: 'quiet', geo: 'DE', acquisition_channel: 'paid' });
  await writer.finish(tablesDir);
  return tablesDir;
}
