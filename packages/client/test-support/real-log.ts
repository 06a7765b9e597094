import * as path from 'node:path';
import {
  DuckSession,
  FeatureSettings,
  ingestion,
  registerCanonicalTables,
  silentLogger,
} from '@gfr/core';

import { describeWithSharedData, sharedDataset } from '../../../test/support/shared-datasets';
import { featureSettingsFor, temporaryDirectory } from './marketplace';
import { differences, offlinePairRows, onlinePairRows } from './parity';
import { materializeFeatureStore } from '../src/feature-store/materialize';
import { SqliteFeatureStore } from '../src/feature-store/sqlite-store';

/**
 * Real logs have what the simulator lacks: no impressions (Taobao), missing brands and prices,
 * thousands of categories (both). The store must keep parity and serve candidates on them too.
 * Declares the tests of one log (skipped when the shared datasets are absent).
 */
export function describeRealLog(log: { source: 'taobao' | 'rees46'; file: string }): void {
  describeWithSharedData(`online store on the real ${log.source} head`, [log.file], () => {
    const dir = temporaryDirectory(`real-${log.source}`);
    const tablesDir = path.join(dir, 'tables');
    let settings: FeatureSettings;
    let store: SqliteFeatureStore;

    beforeAll(async () => {
      await ingestion.ingest({
        source: log.source,
        input: sharedDataset(log.file),
        outDir: tablesDir,
        logger: silentLogger,
      });
      settings = await featureSettingsFor(tablesDir);
      const file = path.join(dir, 'store.sqlite');
      await materializeFeatureStore({
        tablesDir,
        outFile: file,
        featureSettings: settings,
        threads: 1,
      });
      store = new SqliteFeatureStore(file);
    }, 60_000);

    afterAll(() => store?.close());

    test('the most active users × the items they and others touched keep train/serve parity', async () => {
      const session = await DuckSession.open({ threads: 1 });
      await registerCanonicalTables(session, tablesDir);
      const ids = async (sql: string) => (await session.jsonRows(sql)).map((row) => String(row.id));
      const users = await ids(`SELECT user_id AS id FROM events GROUP BY user_id
        ORDER BY count(*) DESC, user_id LIMIT 30`);
      const items = await ids(`SELECT DISTINCT item_id AS id FROM events
        WHERE user_id IN (${users.map((id) => `'${id}'`).join(',')}) ORDER BY 1 LIMIT 200`);
      session.close();
      const time = store.description.asOf! + 3600;

      const offline = await offlinePairRows(tablesDir, settings, users, items, time);
      const online = await onlinePairRows(store, settings, users, items, time);

      expect(users.length * items.length).toBeGreaterThan(3000);
      expect(differences(offline, online)).toEqual([]);
    }, 60_000);

    test('every user of the log gets a full candidate set without bought items', async () => {
      const quotas = { exploit: 20, popularity: 20, recent: 10, explore: 10 };
      let checked = 0;
      for (const userId of [...store.userIds()].slice(0, 100)) {
        const user = await store.getUser(userId);
        const candidates = await store.getCandidates(userId, quotas, user);
        const ids = candidates.map((candidate) => candidate.item_id);
        expect(new Set(ids).size).toBe(ids.length);
        expect(ids.filter((id) => user.purchased_items.includes(id))).toEqual([]);
        expect(candidates.filter((c) => c.channel === 'popularity')).toHaveLength(20);
        checked++;
      }
      expect(checked).toBe(100);
    });
  });
}
