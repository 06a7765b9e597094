import {
  BatchGetRecordCommand,
  BatchGetRecordResponse,
  FeatureValue,
  SageMakerFeatureStoreRuntimeClient,
} from '@aws-sdk/client-sagemaker-featurestore-runtime';

import { ownValue } from '../own-properties';
import {
  RandomSource,
  RetryPolicy,
  Sleep,
  backoffDelay,
  realSleep,
  resolveRetryPolicy,
} from '../retry';
import { ChannelLists, assembleCandidates } from './candidates';
import { FeatureStoreUnavailableError } from './errors';
import {
  DecodedGlobal,
  DecodedUser,
  decodeGlobalRecord,
  decodeItemRecord,
  decodeUserRecord,
} from './record-codec';
import {
  CandidateReference,
  ChannelQuotas,
  GlobalFeatures,
  ItemFeatures,
  OnlineFeatureStore,
  UserFeatures,
  coldStartItem,
  coldStartUser,
  emptyGlobalFeatures,
} from './types';

/** Most record identifiers BatchGetRecord accepts per feature group in one call. */
export const batchGetRecordLimit = 100;

/** Options of {@link SageMakerFeatureStore}. */
export interface SageMakerFeatureStoreOptions {
  /** Names (or ARNs) of the three feature groups; see `record-codec.ts` for their layout. */
  featureGroups: { users: string; items: string; global: string };
  /** Identifier of the one record of the global group (default `global`). */
  globalRecordId?: string;
  /**
   * The runtime client. Default: a new client for `region` with the SDK's own retries off
   * (`maxAttempts: 1`), so that only this store's bounded retries apply.
   */
  client?: SageMakerFeatureStoreRuntimeClient;
  region?: string;
  /** Retries of throttled calls, per-record errors and unprocessed identifiers. */
  retry?: Partial<RetryPolicy>;
  /** Concurrent BatchGetRecord calls of one read (default 4). */
  concurrency?: number;
  /** How long the global record is reused, seconds (default 60; 0 reads it every time). */
  globalCacheSeconds?: number;
  /**
   * How long item records (and the absence of one) are reused, seconds (default 60; 0 turns
   * the cache off). Items are shared by every user's feed and change only when the store is
   * rewritten, and BatchGetRecord has a soft limit of 500 calls per second per account.
   */
  itemCacheSeconds?: number;
  /** Most item records kept by that cache (default 100,000; least recently used go first). */
  itemCacheSize?: number;
  sleep?: Sleep;
  random?: RandomSource;
  /** Milliseconds since the epoch; injectable for the cache's tests. */
  clock?: () => number;
}

/** SDK error names worth another attempt: throttling and transient service faults. */
const retryableErrorNames = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'ProvisionedThroughputExceededException',
  'RequestThrottled',
  'InternalFailure',
  'ServiceUnavailable',
  'TimeoutError',
]);

/**
 * The online feature store on SageMaker Feature Store's online store, read with BatchGetRecord
 * (at most 100 identifiers per call, calls in parallel). Records absent from the answer are
 * unknown users or items and get the cold-start defaults; per-record `Errors`, unprocessed
 * identifiers and throttled calls are retried with backoff and full jitter, a bounded number of
 * times, before {@link FeatureStoreUnavailableError}.
 */
export class SageMakerFeatureStore implements OnlineFeatureStore {
  private readonly client: SageMakerFeatureStoreRuntimeClient;
  private readonly ownsClient: boolean;
  private readonly retry: RetryPolicy;
  private readonly sleep: Sleep;
  private readonly random: RandomSource;
  private readonly clock: () => number;
  private cachedGlobal: { value: DecodedGlobal; readAt: number } | null = null;
  private readonly itemCache = new Map<string, { item: ItemFeatures; readAt: number }>();
  /** Exploit lists of the users this store returned, keyed by the returned object. */
  private readonly exploitLists = new WeakMap<UserFeatures, string[]>();

  constructor(private readonly options: SageMakerFeatureStoreOptions) {
    this.ownsClient = !options.client;
    this.client =
      options.client ??
      new SageMakerFeatureStoreRuntimeClient({ region: options.region, maxAttempts: 1 });
    this.retry = resolveRetryPolicy(options.retry);
    this.sleep = options.sleep ?? realSleep;
    this.random = options.random ?? Math.random;
    this.clock = options.clock ?? Date.now;
  }

  async getUser(userId: string): Promise<UserFeatures> {
    const decoded = await this.readUser(userId);
    if (!decoded) return coldStartUser(userId);
    this.exploitLists.set(decoded.user, decoded.exploit);
    return decoded.user;
  }

  async getItems(itemIds: readonly string[]): Promise<Map<string, ItemFeatures>> {
    const group = this.options.featureGroups.items;
    const now = this.clock();
    const maxAge = (this.options.itemCacheSeconds ?? 60) * 1000;
    const result = new Map<string, ItemFeatures>();
    const missing: string[] = [];
    for (const itemId of new Set(itemIds)) {
      const cached = this.itemCache.get(itemId);
      if (cached && now - cached.readAt < maxAge) {
        // Re-inserting keeps the Map in least-recently-used order.
        this.itemCache.delete(itemId);
        this.itemCache.set(itemId, cached);
        result.set(itemId, structuredClone(cached.item));
      } else {
        missing.push(itemId);
      }
    }

    const records = missing.length > 0 ? await this.batchGet(group, missing) : new Map();
    const capacity = this.options.itemCacheSize ?? 100_000;
    for (const itemId of missing) {
      const record = records.get(itemId);
      const item = record ? decodeItemRecord(record, `${group}/${itemId}`) : coldStartItem(itemId);
      result.set(itemId, item);
      if (maxAge <= 0 || capacity <= 0) continue;
      this.itemCache.delete(itemId);
      this.itemCache.set(itemId, { item: structuredClone(item), readAt: now });
      if (this.itemCache.size > capacity) {
        this.itemCache.delete(this.itemCache.keys().next().value as string);
      }
    }
    return new Map(itemIds.map((itemId) => [itemId, result.get(itemId)!]));
  }

  async getGlobal(): Promise<GlobalFeatures> {
    return { ...(await this.readGlobal()).global };
  }

  async getCandidates(
    userId: string,
    quotas: ChannelQuotas,
    user?: UserFeatures,
  ): Promise<CandidateReference[]> {
    // The exploit list lives in the user's record: reuse it when `user` came from getUser.
    const remembered = user ? this.exploitLists.get(user) : undefined;
    const [decoded, global] = await Promise.all([
      user && (remembered || !user.known) ? null : this.readUser(userId),
      this.readGlobal(),
    ]);
    const tops = global.lists.categoryTop;
    const lists: ChannelLists = {
      exploit: remembered ?? decoded?.exploit ?? [],
      popularity: global.lists.popularity,
      recent: global.lists.recent,
      categories: Object.keys(tops).sort(),
      categoryTop: (category, limit) => (ownValue(tops, category) ?? []).slice(0, limit),
    };
    return assembleCandidates(user ?? decoded?.user ?? coldStartUser(userId), lists, quotas);
  }

  async close(): Promise<void> {
    if (this.ownsClient) this.client.destroy();
  }

  private async readUser(userId: string): Promise<DecodedUser | null> {
    const group = this.options.featureGroups.users;
    const record = (await this.batchGet(group, [userId])).get(userId);
    return record ? decodeUserRecord(record, `${group}/${userId}`) : null;
  }

  private async readGlobal(): Promise<DecodedGlobal> {
    const maxAge = (this.options.globalCacheSeconds ?? 60) * 1000;
    const now = this.clock();
    if (this.cachedGlobal && now - this.cachedGlobal.readAt < maxAge) {
      return this.cachedGlobal.value;
    }
    const group = this.options.featureGroups.global;
    const recordId = this.options.globalRecordId ?? 'global';
    const record = (await this.batchGet(group, [recordId])).get(recordId);
    const value = record
      ? decodeGlobalRecord(record, `${group}/${recordId}`)
      : {
          global: emptyGlobalFeatures(),
          lists: { popularity: [], recent: [], categoryTop: {} },
        };
    this.cachedGlobal = { value, readAt: now };
    return value;
  }

  /** Records of `ids` in `group` (absent ids are unknown), in batches of at most 100. */
  private async batchGet(
    group: string,
    ids: readonly string[],
  ): Promise<Map<string, FeatureValue[]>> {
    const batches: string[][] = [];
    for (let start = 0; start < ids.length; start += batchGetRecordLimit) {
      batches.push(ids.slice(start, start + batchGetRecordLimit));
    }
    const records = new Map<string, FeatureValue[]>();
    const concurrency = Math.max(1, this.options.concurrency ?? 4);
    let next = 0;
    const worker = async () => {
      while (next < batches.length) {
        const batch = batches[next++];
        for (const [id, record] of await this.batchGetWithRetries(group, batch)) {
          records.set(id, record);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, batches.length) }, worker));
    return records;
  }

  private async batchGetWithRetries(
    group: string,
    ids: string[],
  ): Promise<Map<string, FeatureValue[]>> {
    const records = new Map<string, FeatureValue[]>();
    let pending = ids;
    let lastProblem = '';
    for (let attempt = 1; attempt <= this.retry.maxAttempts; attempt++) {
      if (attempt > 1) await this.sleep(backoffDelay(attempt - 1, this.retry, this.random));

      let response: BatchGetRecordResponse;
      try {
        response = await this.client.send(
          new BatchGetRecordCommand({
            Identifiers: [{ FeatureGroupName: group, RecordIdentifiersValueAsString: pending }],
          }),
        );
      } catch (error) {
        const name = (error as { name?: string }).name ?? '';
        lastProblem = `${name}: ${(error as Error).message}`;
        const serverFault = (error as { $fault?: string }).$fault === 'server';
        if (retryableErrorNames.has(name) || serverFault) continue;
        throw new FeatureStoreUnavailableError(
          `BatchGetRecord on feature group ${group} failed: ${lastProblem}`,
          { cause: error },
        );
      }

      for (const result of response.Records ?? []) {
        if (result.RecordIdentifierValueAsString !== undefined && result.Record) {
          records.set(result.RecordIdentifierValueAsString, result.Record);
        }
      }
      const retry = new Set<string>();
      let problem = '';
      for (const failed of response.Errors ?? []) {
        if (failed.RecordIdentifierValueAsString === undefined) continue;
        retry.add(failed.RecordIdentifierValueAsString);
        problem = `${failed.RecordIdentifierValueAsString}: ${failed.ErrorCode} ${failed.ErrorMessage ?? ''}`;
      }
      const unprocessed = (response.UnprocessedIdentifiers ?? []).flatMap(
        (identifier) => identifier.RecordIdentifiersValueAsString ?? [],
      );
      for (const id of unprocessed) retry.add(id);
      if (retry.size === 0) return records;
      lastProblem = problem.trim() || `${unprocessed.length} identifiers left unprocessed`;
      pending = [...retry];
    }
    throw new FeatureStoreUnavailableError(
      `BatchGetRecord on feature group ${group} still failing after ` +
        `${this.retry.maxAttempts} attempts (${pending.length} identifiers, last: ${lastProblem})`,
    );
  }
}
