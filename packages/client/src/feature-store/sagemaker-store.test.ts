import * as path from 'node:path';
import {
  BatchGetRecordCommand,
  BatchGetRecordCommandInput,
  BatchGetRecordResponse,
  FeatureValue,
  SageMakerFeatureStoreRuntimeClient,
} from '@aws-sdk/client-sagemaker-featurestore-runtime';
import { mockClient } from 'aws-sdk-client-mock';
import { FeatureSettings } from '@gfr/core';

import {
  featureSettingsFor,
  simulateTables,
  temporaryDirectory,
} from '../../test-support/marketplace';
import { differences, onlinePairRows } from '../../test-support/parity';
import { FeatureStoreFormatError, FeatureStoreUnavailableError } from './errors';
import { exportFeatureGroupRecords } from './export-records';
import { materializeFeatureStore } from './materialize';
import { SageMakerFeatureStore, batchGetRecordLimit } from './sagemaker-store';
import { SqliteFeatureStore } from './sqlite-store';
import { coldStartItem, coldStartUser } from './types';

const groups = { users: 'gfr-users', items: 'gfr-items', global: 'gfr-global' };
const runtime = mockClient(SageMakerFeatureStoreRuntimeClient);
const dir = temporaryDirectory('sagemaker-store');
let settings: FeatureSettings;
let sqlite: SqliteFeatureStore;
/** The remote online store: records by group and identifier. */
const remote = new Map<string, Map<string, FeatureValue[]>>();
let sleeps: number[];

beforeAll(async () => {
  const tablesDir = await simulateTables(dir, { users: 200, items: 250, days: 5, seed: 3 });
  settings = await featureSettingsFor(tablesDir);
  const file = path.join(dir, 'store.sqlite');
  await materializeFeatureStore({
    tablesDir,
    outFile: file,
    featureSettings: settings,
    threads: 1,
  });
  sqlite = new SqliteFeatureStore(file);
  for (const name of Object.values(groups)) remote.set(name, new Map());
  for await (const { group, identifier, record } of exportFeatureGroupRecords(sqlite)) {
    remote.get(groups[group])!.set(identifier, record);
  }
}, 60_000);

afterAll(() => sqlite?.close());

/** Answers BatchGetRecord from `remote` like the service: unknown ids are simply absent. */
function serveRemote(input: BatchGetRecordCommandInput): BatchGetRecordResponse {
  const identifier = input.Identifiers![0];
  const ids = identifier.RecordIdentifiersValueAsString!;
  if (ids.length > batchGetRecordLimit) throw new Error(`${ids.length} identifiers in one call`);
  const records = remote.get(identifier.FeatureGroupName!)!;
  return {
    Records: ids
      .filter((id) => records.has(id))
      .map((id) => ({
        FeatureGroupName: identifier.FeatureGroupName,
        RecordIdentifierValueAsString: id,
        Record: records.get(id),
      })),
    Errors: [],
    UnprocessedIdentifiers: [],
  };
}

function newStore(options: { maxAttempts?: number; clock?: () => number } = {}) {
  return new SageMakerFeatureStore({
    featureGroups: groups,
    client: new SageMakerFeatureStoreRuntimeClient({ region: 'eu-west-1' }),
    retry: { maxAttempts: options.maxAttempts ?? 4, baseDelayMs: 100, maxDelayMs: 1000 },
    sleep: async (milliseconds) => {
      sleeps.push(milliseconds);
    },
    random: () => 0.5,
    clock: options.clock,
  });
}

const calls = () => runtime.commandCalls(BatchGetRecordCommand);
const idsOfCall = (index: number) =>
  calls()[index].args[0].input.Identifiers![0].RecordIdentifiersValueAsString!;

beforeEach(() => {
  runtime.reset();
  sleeps = [];
});

test('the SageMaker store reads exactly what the SQLite store holds, down to the model inputs', async () => {
  runtime.on(BatchGetRecordCommand).callsFake(serveRemote);
  const store = newStore();
  const users = [...sqlite.userIds()].filter((_, index) => index % 4 === 0);
  const items = [...sqlite.itemIds()];

  for (const userId of users) {
    expect(await store.getUser(userId)).toEqual(await sqlite.getUser(userId));
    const quotas = { exploit: 10, popularity: 10, recent: 5, explore: 5 };
    expect(await store.getCandidates(userId, quotas)).toEqual(
      await sqlite.getCandidates(userId, quotas),
    );
  }
  expect(await store.getItems(items)).toEqual(await sqlite.getItems(items));
  expect(await store.getGlobal()).toEqual(await sqlite.getGlobal());

  const time = sqlite.description.asOf! + 600;
  const remoteRows = await onlinePairRows(store, settings, users, items, time);
  const localRows = await onlinePairRows(sqlite, settings, users, items, time);
  expect(differences(localRows, remoteRows)).toEqual([]);
});

test('more than 100 identifiers are read in batches of at most 100', async () => {
  runtime.on(BatchGetRecordCommand).callsFake(serveRemote);
  const items = [...sqlite.itemIds()].slice(0, 230);

  const read = await newStore().getItems([...items, 'not-in-catalogue']);

  expect(calls().map((_, index) => idsOfCall(index).length)).toEqual([100, 100, 31]);
  expect(read.size).toBe(231);
  expect([...read.values()].filter((item) => item.known)).toHaveLength(230);
  expect(read.get('not-in-catalogue')).toEqual(coldStartItem('not-in-catalogue'));
});

test('unprocessed identifiers and per-record errors are asked for again, with backoff', async () => {
  const items = [...sqlite.itemIds()].slice(0, 10);
  runtime
    .on(BatchGetRecordCommand)
    .callsFakeOnce((input: BatchGetRecordCommandInput) => {
      const served = serveRemote(input);
      return {
        Records: served.Records!.slice(0, 6),
        Errors: [
          {
            FeatureGroupName: groups.items,
            RecordIdentifierValueAsString: items[6],
            ErrorCode: 'InternalFailure',
            ErrorMessage: 'try again',
          },
        ],
        UnprocessedIdentifiers: [
          { FeatureGroupName: groups.items, RecordIdentifiersValueAsString: items.slice(7) },
        ],
      };
    })
    .callsFake(serveRemote);

  const read = await newStore().getItems(items);

  expect(calls()).toHaveLength(2);
  expect(idsOfCall(1)).toEqual(items.slice(6));
  expect([...read.values()].every((item) => item.known)).toBe(true);
  expect(sleeps).toEqual([50]); // full jitter: random 0.5 × the first ceiling of 100 ms
});

test('identifiers still failing after the bounded attempts surface as FeatureStoreUnavailableError', async () => {
  runtime.on(BatchGetRecordCommand).resolves({
    Records: [],
    Errors: [],
    UnprocessedIdentifiers: [
      { FeatureGroupName: groups.users, RecordIdentifiersValueAsString: ['u1'] },
    ],
  });

  await expect(newStore({ maxAttempts: 3 }).getUser('u1')).rejects.toThrow(
    new FeatureStoreUnavailableError(
      'BatchGetRecord on feature group gfr-users still failing after 3 attempts ' +
        '(1 identifiers, last: 1 identifiers left unprocessed)',
    ),
  );
  expect(calls()).toHaveLength(3);
  expect(sleeps).toEqual([50, 100]);
});

test('throttled calls are retried; a validation error is not', async () => {
  const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
  runtime.on(BatchGetRecordCommand).rejectsOnce(throttled).callsFake(serveRemote);
  const userId = [...sqlite.userIds()][0];
  expect((await newStore().getUser(userId)).known).toBe(true);
  expect(calls()).toHaveLength(2);

  runtime.reset();
  const invalid = Object.assign(new Error('No feature group gfr-users'), {
    name: 'ValidationError',
    $fault: 'client',
  });
  runtime.on(BatchGetRecordCommand).rejects(invalid);
  await expect(newStore().getUser(userId)).rejects.toThrow(
    /gfr-users failed: ValidationError: No feature group/,
  );
  expect(calls()).toHaveLength(1);
});

test('an unknown user, unknown items and a missing global record are cold starts', async () => {
  runtime
    .on(BatchGetRecordCommand)
    .resolves({ Records: [], Errors: [], UnprocessedIdentifiers: [] });
  const store = newStore();

  expect(await store.getUser('newcomer')).toEqual(coldStartUser('newcomer'));
  expect((await store.getItems(['a'])).get('a')).toEqual(coldStartItem('a'));
  expect(await store.getGlobal()).toEqual({ impressions: 0, clicks: 0, purchases: 0, as_of: null });
  expect(await store.getCandidates('newcomer', { popularity: 5, explore: 5 })).toEqual([]);
});

test('a malformed record names the group, record and feature', async () => {
  runtime.on(BatchGetRecordCommand).resolves({
    Records: [
      {
        FeatureGroupName: groups.users,
        RecordIdentifierValueAsString: 'u9',
        Record: [
          { FeatureName: 'user_id', ValueAsString: 'u9' },
          { FeatureName: 'category_aggregates', ValueAsString: '{"shoes": [1, 2]}' },
        ],
      },
    ],
  });

  const failure = newStore().getUser('u9');

  await expect(failure).rejects.toBeInstanceOf(FeatureStoreFormatError);
  await expect(failure).rejects.toThrow(
    'gfr-users/u9/category_aggregates: "shoes" is not [clicks, clicks_decayed, updated_at, purchases]',
  );
});

test('the global record is read once per cache period', async () => {
  runtime.on(BatchGetRecordCommand).callsFake(serveRemote);
  let now = 1_000_000;
  const store = newStore({ clock: () => now });

  await store.getGlobal();
  now += 59_000;
  await store.getGlobal();
  expect(calls()).toHaveLength(1);
  now += 2_000;
  await store.getGlobal();
  expect(calls()).toHaveLength(2);
});

test('candidates for a user fetched by getUser need no second read of the user', async () => {
  runtime.on(BatchGetRecordCommand).callsFake(serveRemote);
  const store = newStore();
  const userId = [...sqlite.userIds()].find((id) => sqlite.exploitItems(id).length > 0)!;
  const user = await store.getUser(userId);
  await store.getGlobal();
  runtime.resetHistory();

  const candidates = await store.getCandidates(userId, { exploit: 5 }, user);

  expect(calls()).toHaveLength(0);
  expect(candidates.map((candidate) => candidate.item_id)).toEqual(
    sqlite.exploitItems(userId).slice(0, 5),
  );
});

test('item records, and their absence, are reused within the cache period and then read again', async () => {
  runtime.on(BatchGetRecordCommand).callsFake(serveRemote);
  let now = 5_000_000;
  const store = newStore({ clock: () => now });
  const items = [...sqlite.itemIds()].slice(0, 3);

  const first = await store.getItems([...items, 'ghost']);
  now += 30_000;
  const again = await store.getItems([items[0], 'ghost']);
  expect(calls()).toHaveLength(1);
  expect(again.get(items[0])).toEqual(first.get(items[0]));
  expect(again.get('ghost')).toEqual(coldStartItem('ghost'));

  again.get(items[0])!.aggregates.clicks.count = -1; // callers' changes stay theirs
  expect((await store.getItems([items[0]])).get(items[0])).toEqual(first.get(items[0]));

  now += 31_000;
  await store.getItems([items[1], items[2]]);
  expect(calls()).toHaveLength(2);
  expect(idsOfCall(1)).toEqual([items[1], items[2]]);
});
