import type { FeatureValue } from '@aws-sdk/client-sagemaker-featurestore-runtime';

import { encodeGlobalRecord, encodeItemRecord, encodeUserRecord } from './record-codec';
import { SqliteFeatureStore } from './sqlite-store';

/** One record of the SageMaker layout and the feature group it belongs in. */
export interface FeatureGroupRecord {
  group: 'users' | 'items' | 'global';
  /** Value of the group's record identifier feature. */
  identifier: string;
  record: FeatureValue[];
}

/**
 * Every record of a materialized SQLite store in the SageMaker feature-group layout: users,
 * then items, then the global record. Feed them to PutRecord (an uploader is not part of gfr
 * yet) to serve the same features from SageMaker Feature Store's online store.
 */
export async function* exportFeatureGroupRecords(
  store: SqliteFeatureStore,
  options: { eventTime?: string; globalRecordId?: string } = {},
): AsyncGenerator<FeatureGroupRecord> {
  const asOf = store.description.asOf;
  const eventTime =
    options.eventTime ?? new Date(asOf === null ? Date.now() : asOf * 1000).toISOString();

  for (const userId of store.userIds()) {
    const user = await store.getUser(userId);
    yield {
      group: 'users',
      identifier: userId,
      record: encodeUserRecord(user, store.exploitItems(userId), eventTime),
    };
  }

  const itemIds = [...store.itemIds()];
  const items = await store.getItems(itemIds);
  for (const itemId of itemIds) {
    yield {
      group: 'items',
      identifier: itemId,
      record: encodeItemRecord(items.get(itemId)!, eventTime),
    };
  }

  const globalRecordId = options.globalRecordId ?? 'global';
  yield {
    group: 'global',
    identifier: globalRecordId,
    record: encodeGlobalRecord(
      globalRecordId,
      await store.getGlobal(),
      store.channelLists(),
      eventTime,
    ),
  };
}
