import type { FeatureValue } from '@aws-sdk/client-sagemaker-featurestore-runtime';

import { ownValue, setOwnValue } from '../own-properties';
import { FeatureStoreFormatError } from './errors';
import { userAggregateColumns } from './sqlite-layout';
import {
  GlobalFeatures,
  ItemFeatures,
  StoredPairAggregates,
  UserFeatures,
  coldStartItem,
  coldStartUser,
} from './types';

/**
 * The record layout of gfr's three SageMaker Feature Store feature groups (see
 * docs/online-feature-store.md). Every value travels as `ValueAsString`; a feature without a
 * value is left out of the record, which is how Feature Store represents null.
 *
 * Users group — record identifier `user_id`, event time `event_time`:
 *   `user_id`, `event_time` (ISO-8601), `geo`, `acquisition_channel` (String, absent when
 *   unknown); `impressions`, `clicks`, `clicks_decayed`, `updated_at`, `last_click_at` (absent
 *   when never), `purchases`, `clicked_log_price_sum`, `clicked_log_price_square_sum`,
 *   `clicked_price_count`, `clicked_rating_sum`, `clicked_rating_count`,
 *   `clicked_discount_sum`, `clicked_discount_count` (Fractional); `category_aggregates`,
 *   `brand_aggregates`, `item_aggregates` (String: a JSON object from the category, brand or
 *   item id to `[clicks, clicks_decayed, updated_at, purchases]`); `exploit_items` (String: a
 *   JSON array of item ids, best first). Purchased items are the keys of `item_aggregates` with
 *   purchases > 0.
 *
 * Items group — record identifier `item_id`, event time `event_time`:
 *   `item_id`, `event_time`, `category`, `brand` (String, absent when unknown); `price`,
 *   `rating`, `discount`, `created_at`, `first_seen_at` (Fractional, absent when unknown);
 *   `impressions`, `clicks`, `clicks_decayed`, `updated_at`, `purchases` (Fractional).
 *
 * Global group — one record, identifier feature `record_id` (value `global` by default):
 *   `record_id`, `event_time`; `impressions`, `clicks`, `purchases`, `as_of` (Fractional);
 *   `popular_items`, `recent_items` (String: JSON arrays of item ids, best first);
 *   `category_top_items` (String: a JSON object from category to its item ids, best first).
 *
 * Times are epoch seconds. Numbers are written with JavaScript's shortest round-trip form and
 * read with `Number()`, which also accepts the exponent form Feature Store may return, so
 * values survive the round trip bit for bit.
 */

/** The lists the global record carries for the candidate channels. */
export interface GlobalChannelLists {
  popularity: string[];
  recent: string[];
  /** Top items per category, best first. */
  categoryTop: Record<string, string[]>;
}

/** A decoded user record: the features and the user's exploit list. */
export interface DecodedUser {
  user: UserFeatures;
  exploit: string[];
}

/** A decoded global record. */
export interface DecodedGlobal {
  global: GlobalFeatures;
  lists: GlobalChannelLists;
}

type PairTuple = [number, number, number, number];

/** The record of one user, for PutRecord into the users group. */
export function encodeUserRecord(
  user: UserFeatures,
  exploit: readonly string[],
  eventTime: string,
): FeatureValue[] {
  const aggregates = user.aggregates;
  const flat: Record<string, number | null> = {
    impressions: aggregates.impressions,
    clicks: aggregates.clicks.count,
    clicks_decayed: aggregates.clicks.decayed,
    updated_at: aggregates.clicks.updated_at,
    last_click_at: aggregates.last_click_at,
    purchases: aggregates.purchases,
    clicked_log_price_sum: aggregates.clicked_log_price_sum,
    clicked_log_price_square_sum: aggregates.clicked_log_price_square_sum,
    clicked_price_count: aggregates.clicked_price_count,
    clicked_rating_sum: aggregates.clicked_rating_sum,
    clicked_rating_count: aggregates.clicked_rating_count,
    clicked_discount_sum: aggregates.clicked_discount_sum,
    clicked_discount_count: aggregates.clicked_discount_count,
  };
  return features({
    user_id: user.user_id,
    event_time: eventTime,
    geo: user.geo,
    acquisition_channel: user.acquisition_channel,
    ...flat,
    category_aggregates: encodePairs(user.categories),
    brand_aggregates: encodePairs(user.brands),
    item_aggregates: encodePairs(user.items),
    exploit_items: JSON.stringify(exploit),
  });
}

/** Reads a users-group record; `location` names it in errors (`group/identifier`). */
export function decodeUserRecord(record: readonly FeatureValue[], location: string): DecodedUser {
  const read = reader(record, location);
  const user = coldStartUser(read.requiredText('user_id'));
  user.known = true;
  user.geo = read.text('geo');
  user.acquisition_channel = read.text('acquisition_channel');
  const number = (name: (typeof userAggregateColumns)[number]) => read.number(name) ?? 0;
  user.aggregates = {
    impressions: number('impressions'),
    clicks: {
      count: number('clicks'),
      decayed: number('clicks_decayed'),
      updated_at: number('updated_at'),
    },
    last_click_at: read.number('last_click_at'),
    purchases: number('purchases'),
    clicked_log_price_sum: number('clicked_log_price_sum'),
    clicked_log_price_square_sum: number('clicked_log_price_square_sum'),
    clicked_price_count: number('clicked_price_count'),
    clicked_rating_sum: number('clicked_rating_sum'),
    clicked_rating_count: number('clicked_rating_count'),
    clicked_discount_sum: number('clicked_discount_sum'),
    clicked_discount_count: number('clicked_discount_count'),
  };
  user.categories = read.pairs('category_aggregates');
  user.brands = read.pairs('brand_aggregates');
  user.items = read.pairs('item_aggregates');
  user.purchased_items = Object.keys(user.items)
    .filter((itemId) => ownValue(user.items, itemId)!.purchases > 0)
    .sort();
  return { user, exploit: read.ids('exploit_items') };
}

/** The record of one item, for PutRecord into the items group. */
export function encodeItemRecord(item: ItemFeatures, eventTime: string): FeatureValue[] {
  return features({
    item_id: item.item_id,
    event_time: eventTime,
    category: item.category,
    brand: item.brand,
    price: item.price,
    rating: item.rating,
    discount: item.discount,
    created_at: item.created_at,
    impressions: item.aggregates.impressions,
    clicks: item.aggregates.clicks.count,
    clicks_decayed: item.aggregates.clicks.decayed,
    updated_at: item.aggregates.clicks.updated_at,
    purchases: item.aggregates.purchases,
    first_seen_at: item.aggregates.first_seen_at,
  });
}

/** Reads an items-group record. */
export function decodeItemRecord(record: readonly FeatureValue[], location: string): ItemFeatures {
  const read = reader(record, location);
  const item = coldStartItem(read.requiredText('item_id'));
  item.known = true;
  item.category = read.text('category');
  item.brand = read.text('brand');
  item.price = read.number('price');
  item.rating = read.number('rating');
  item.discount = read.number('discount');
  item.created_at = read.number('created_at');
  item.aggregates = {
    impressions: read.number('impressions') ?? 0,
    clicks: {
      count: read.number('clicks') ?? 0,
      decayed: read.number('clicks_decayed') ?? 0,
      updated_at: read.number('updated_at') ?? 0,
    },
    purchases: read.number('purchases') ?? 0,
    first_seen_at: read.number('first_seen_at'),
  };
  return item;
}

/** The global record, for PutRecord into the global group. */
export function encodeGlobalRecord(
  recordId: string,
  global: GlobalFeatures,
  lists: GlobalChannelLists,
  eventTime: string,
): FeatureValue[] {
  return features({
    record_id: recordId,
    event_time: eventTime,
    impressions: global.impressions,
    clicks: global.clicks,
    purchases: global.purchases,
    as_of: global.as_of,
    popular_items: JSON.stringify(lists.popularity),
    recent_items: JSON.stringify(lists.recent),
    category_top_items: JSON.stringify(lists.categoryTop),
  });
}

/** Reads the global record. */
export function decodeGlobalRecord(
  record: readonly FeatureValue[],
  location: string,
): DecodedGlobal {
  const read = reader(record, location);
  const categoryTop = read.json('category_top_items', {});
  if (typeof categoryTop !== 'object' || categoryTop === null || Array.isArray(categoryTop)) {
    throw read.invalid('category_top_items', 'is not a JSON object of id arrays');
  }
  const tops: Record<string, string[]> = {};
  for (const [category, ids] of Object.entries(categoryTop)) {
    if (!isIdList(ids))
      throw read.invalid('category_top_items', `"${category}" is not an id array`);
    setOwnValue(tops, category, ids);
  }
  return {
    global: {
      impressions: read.number('impressions') ?? 0,
      clicks: read.number('clicks') ?? 0,
      purchases: read.number('purchases') ?? 0,
      as_of: read.number('as_of'),
    },
    lists: {
      popularity: read.ids('popular_items'),
      recent: read.ids('recent_items'),
      categoryTop: tops,
    },
  };
}

function features(values: Record<string, string | number | null>): FeatureValue[] {
  const record: FeatureValue[] = [];
  for (const [name, value] of Object.entries(values)) {
    if (value === null) continue;
    record.push({ FeatureName: name, ValueAsString: String(value) });
  }
  return record;
}

function encodePairs(pairs: Record<string, StoredPairAggregates>): string {
  const tuples: Record<string, PairTuple> = {};
  for (const [key, pair] of Object.entries(pairs)) {
    const tuple: PairTuple = [
      pair.clicks.count,
      pair.clicks.decayed,
      pair.clicks.updated_at,
      pair.purchases,
    ];
    setOwnValue(tuples, key, tuple);
  }
  return JSON.stringify(tuples);
}

function isIdList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((id) => typeof id === 'string');
}

function reader(record: readonly FeatureValue[], location: string) {
  const values = new Map<string, string>();
  for (const feature of record) {
    if (feature.FeatureName !== undefined && feature.ValueAsString !== undefined) {
      values.set(feature.FeatureName, feature.ValueAsString);
    }
  }
  const invalid = (name: string, problem: string) =>
    new FeatureStoreFormatError(
      `${location}/${name}`,
      `${problem}: ${JSON.stringify(values.get(name)?.slice(0, 80))}`,
    );
  const text = (name: string): string | null => values.get(name) ?? null;
  const number = (name: string): number | null => {
    const raw = values.get(name);
    if (raw === undefined || raw === '') return null;
    const value = Number(raw);
    if (!Number.isFinite(value)) throw invalid(name, 'is not a finite number');
    return value;
  };
  const json = (name: string, fallback: unknown): unknown => {
    const raw = values.get(name);
    if (raw === undefined || raw === '') return fallback;
    try {
      return JSON.parse(raw);
    } catch (error) {
      throw new FeatureStoreFormatError(`${location}/${name}`, 'is not valid JSON', {
        cause: error,
      });
    }
  };
  return {
    invalid,
    text,
    number,
    json,
    requiredText(name: string): string {
      const value = text(name);
      if (value === null) throw invalid(name, 'is missing');
      return value;
    },
    ids(name: string): string[] {
      const value = json(name, []);
      if (!isIdList(value)) throw invalid(name, 'is not a JSON array of ids');
      return value;
    },
    pairs(name: string): Record<string, StoredPairAggregates> {
      const value = json(name, {});
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        throw invalid(name, 'is not a JSON object');
      }
      const pairs: Record<string, StoredPairAggregates> = {};
      for (const [key, tuple] of Object.entries(value)) {
        if (
          !Array.isArray(tuple) ||
          tuple.length !== 4 ||
          !tuple.every((entry) => typeof entry === 'number' && Number.isFinite(entry))
        ) {
          throw invalid(name, `"${key}" is not [clicks, clicks_decayed, updated_at, purchases]`);
        }
        const [clicks, decayed, updatedAt, purchases] = tuple as PairTuple;
        setOwnValue(pairs, key, {
          clicks: { count: clicks, decayed, updated_at: updatedAt },
          purchases,
        });
      }
      return pairs;
    },
  };
}
