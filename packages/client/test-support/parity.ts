import {
  DuckSession,
  FeatureSettings,
  buildAggregateStates,
  computeExampleFeatures,
  createVectorizer,
  featureNames,
  fillFeatureInputFromRequest,
  newFeatureInput,
  parseInvocationRequest,
  registerCanonicalTables,
  sqlString,
} from '@gfr/core';

import { OnlineFeatureStore } from '../src/feature-store/types';
import { buildInvocationRequest } from '../src/request-builder';

/** Model input rows of user × item pairs, row-major, in the order of `users` × `items`. */
export interface PairRows {
  users: string[];
  items: string[];
  values: Float32Array;
}

/**
 * The offline rows: core's point-in-time join of every user × item at `time` (position 1, as
 * the endpoint scores), through the vectorizer, exactly as training sets are made.
 */
export async function offlinePairRows(
  tablesDir: string,
  settings: FeatureSettings,
  users: string[],
  items: string[],
  time: number,
): Promise<PairRows> {
  const session = await DuckSession.open({ threads: 1 });
  try {
    await registerCanonicalTables(session, tablesDir);
    await buildAggregateStates(session, settings.halfLifeSeconds);
    const list = (ids: string[]) => ids.map((id) => `(${sqlString(id)})`).join(', ');
    await session.run(
      `CREATE TABLE pair_users AS SELECT * FROM (VALUES ${list(users)}) v(user_id)`,
    );
    await session.run(
      `CREATE TABLE pair_items AS SELECT * FROM (VALUES ${list(items)}) v(item_id)`,
    );
    await session.run(`
      CREATE TABLE examples AS
      SELECT (u.rank * ${items.length} + i.rank)::BIGINT AS example_id, ${time}::DOUBLE AS t,
        u.user_id, i.item_id, 1 AS position
      FROM (SELECT user_id, row_number() OVER () - 1 AS rank FROM pair_users) u
      CROSS JOIN (SELECT item_id, row_number() OVER () - 1 AS rank FROM pair_items) i`);
    const { features } = await computeExampleFeatures(
      session,
      'examples',
      createVectorizer(settings),
    );
    return { users, items, values: features.values };
  } finally {
    session.close();
  }
}

/**
 * The online rows: the store's reads assembled into a version-1 request by the client's
 * request builder, sent through JSON (as on the wire), validated by the endpoint's parser and
 * turned into model inputs by the endpoint's code, one request per user.
 */
export async function onlinePairRows(
  store: OnlineFeatureStore,
  settings: FeatureSettings,
  users: string[],
  items: string[],
  time: number,
): Promise<PairRows> {
  const width = featureNames.length;
  const values = new Float32Array(users.length * items.length * width);
  const vectorize = createVectorizer(settings);
  const input = newFeatureInput();
  const itemFeatures = await store.getItems(items);
  const global = await store.getGlobal();
  const candidates = items.map((item_id) => ({ item_id, channel: 'popularity' as const }));

  for (const [userIndex, userId] of users.entries()) {
    const user = await store.getUser(userId);
    const request = buildInvocationRequest({
      user,
      candidates,
      items: itemFeatures,
      global,
      k: 10,
      time,
    });
    const parsed = parseInvocationRequest(JSON.parse(JSON.stringify(request)));
    parsed.candidates.forEach((candidate, itemIndex) => {
      fillFeatureInputFromRequest(input, parsed, candidate, time);
      vectorize(input, values, (userIndex * items.length + itemIndex) * width);
    });
  }
  return { users, items, values };
}

/** Cells where two row sets differ (NaN equals NaN), as readable descriptions. */
export function differences(offline: PairRows, online: PairRows, limit = 10): string[] {
  const width = featureNames.length;
  const found: string[] = [];
  for (let cell = 0; cell < offline.values.length; cell++) {
    if (Object.is(offline.values[cell], online.values[cell])) continue;
    const row = Math.floor(cell / width);
    const user = offline.users[Math.floor(row / offline.items.length)];
    const item = offline.items[row % offline.items.length];
    found.push(
      `${user} × ${item} ${featureNames[cell % width]}: offline ${offline.values[cell]}, ` +
        `online ${online.values[cell]}`,
    );
    if (found.length >= limit) break;
  }
  return found;
}
