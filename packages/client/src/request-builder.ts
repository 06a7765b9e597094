import {
  BlendSettings,
  InvocationCandidate,
  InvocationRequestInput,
  invocationSchemaVersion,
} from '@gfr/core';

import {
  CandidateReference,
  GlobalFeatures,
  ItemFeatures,
  StoredPairAggregates,
  UserFeatures,
  coldStartItem,
} from './feature-store/types';
import { ownValue, setOwnValue } from './own-properties';

/** Everything one invocation request is made of. */
export interface RequestParts {
  user: UserFeatures;
  candidates: readonly CandidateReference[];
  /** Features of (at least) every candidate; a missing one gets the cold-start item. */
  items: ReadonlyMap<string, ItemFeatures>;
  global: GlobalFeatures;
  /** Items to return. */
  k: number;
  /** Epoch seconds to rank for; omitted, the endpoint uses its own clock. */
  time?: number;
  requestId?: string;
  blend?: Partial<BlendSettings>;
}

/**
 * Builds the version-1 invocation request from store reads. Only the pair aggregates the
 * candidates can use are sent (the user's history with the candidates' categories, brands and
 * the candidates themselves), which keeps the body small without changing any model input: the
 * endpoint looks pairs up by exactly those keys.
 */
export function buildInvocationRequest(parts: RequestParts): InvocationRequestInput {
  const { user } = parts;
  const categories: Record<string, StoredPairAggregates> = {};
  const brands: Record<string, StoredPairAggregates> = {};
  const items: Record<string, StoredPairAggregates> = {};
  const bought = new Set(user.purchased_items);
  const purchased: string[] = [];

  const candidates: InvocationCandidate[] = parts.candidates.map(({ item_id, channel }) => {
    const item = parts.items.get(item_id) ?? coldStartItem(item_id);
    copyPair(categories, user.categories, item.category);
    copyPair(brands, user.brands, item.brand);
    copyPair(items, user.items, item_id);
    if (bought.has(item_id)) purchased.push(item_id);
    return {
      item_id,
      channel,
      category: item.category,
      brand: item.brand,
      // The model reads ln(max(price, 0) + 1) and ranking max(price, 0): a negative catalogue
      // price means exactly what 0 means, and 0 passes the schema's check.
      price: item.price === null ? null : Math.max(item.price, 0),
      rating: item.rating,
      discount: item.discount,
      created_at: item.created_at,
      aggregates: item.aggregates,
    };
  });

  const request: InvocationRequestInput = {
    schema_version: invocationSchemaVersion,
    k: parts.k,
    user: {
      user_id: user.user_id,
      geo: user.geo,
      acquisition_channel: user.acquisition_channel,
      aggregates: user.aggregates,
      categories,
      brands,
      items,
      purchased_items: purchased,
    },
    global: {
      impressions: parts.global.impressions,
      clicks: parts.global.clicks,
      purchases: parts.global.purchases,
    },
    candidates,
  };
  if (parts.requestId !== undefined) request.request_id = parts.requestId;
  if (parts.time !== undefined) request.time = parts.time;
  if (parts.blend !== undefined) request.blend = parts.blend;
  return request;
}

function copyPair(
  target: Record<string, StoredPairAggregates>,
  source: Record<string, StoredPairAggregates>,
  key: string | null,
): void {
  if (key === null || ownValue(target, key)) return;
  const pair = ownValue(source, key);
  if (pair) setOwnValue(target, key, pair);
}
