import type { ChannelName } from '@gfr/core';

/**
 * What an online feature store holds, in the shapes of the invocation request (schema version 1,
 * snake_case as on the wire), so that a request is assembled without renaming anything. Times
 * are epoch seconds (UTC). Decayed counts are stored as of their `updated_at`; the endpoint
 * brings them forward to the request's time with the model's half-life.
 */

/** A count with its time-decayed twin, evaluated at `updated_at`. */
export interface StoredDecayedCount {
  count: number;
  decayed: number;
  /** Epoch seconds at which `decayed` was evaluated; 0 when nothing was ever counted. */
  updated_at: number;
}

/** A user's history with one category, brand or item. */
export interface StoredPairAggregates {
  clicks: StoredDecayedCount;
  purchases: number;
}

/** A user's own aggregates (the `user.aggregates` block of a request). */
export interface StoredUserAggregates {
  impressions: number;
  clicks: StoredDecayedCount;
  /** Epoch seconds of the user's last click, or null when the user never clicked. */
  last_click_at: number | null;
  purchases: number;
  clicked_log_price_sum: number;
  clicked_log_price_square_sum: number;
  clicked_price_count: number;
  clicked_rating_sum: number;
  clicked_rating_count: number;
  clicked_discount_sum: number;
  clicked_discount_count: number;
}

/** An item's own aggregates (the `candidates[].aggregates` block of a request). */
export interface StoredItemAggregates {
  impressions: number;
  clicks: StoredDecayedCount;
  purchases: number;
  /** Epoch seconds of the item's first logged event, or null when it has none. */
  first_seen_at: number | null;
}

/** Everything the store knows about one user. */
export interface UserFeatures {
  user_id: string;
  /** False when the store has no record of the user: every other field is a cold-start default. */
  known: boolean;
  geo: string | null;
  acquisition_channel: string | null;
  aggregates: StoredUserAggregates;
  /** History per category the user clicked or bought in. */
  categories: Record<string, StoredPairAggregates>;
  /** History per brand the user clicked or bought. */
  brands: Record<string, StoredPairAggregates>;
  /** History per item the user clicked or bought. */
  items: Record<string, StoredPairAggregates>;
  /** Items the user bought, sorted; they are never offered again. */
  purchased_items: string[];
}

/** Everything the store knows about one catalogue item. */
export interface ItemFeatures {
  item_id: string;
  /** False when the store has no record of the item: attributes are null and counts zero. */
  known: boolean;
  category: string | null;
  brand: string | null;
  price: number | null;
  rating: number | null;
  discount: number | null;
  /** Epoch seconds the item was created, or null when unknown. */
  created_at: number | null;
  aggregates: StoredItemAggregates;
}

/** Marketplace-wide totals: the priors of smoothed rates. */
export interface GlobalFeatures {
  impressions: number;
  clicks: number;
  purchases: number;
  /** Epoch seconds of the last event the store was built from, or null when unknown. */
  as_of: number | null;
}

/** Candidates wanted from each channel; a missing channel contributes none. */
export type ChannelQuotas = Partial<Record<ChannelName, number>>;

/** One candidate item and the channel that proposed it. */
export interface CandidateReference {
  item_id: string;
  channel: ChannelName;
}

/**
 * An online feature store: the latest aggregates of users and items, the marketplace totals
 * and the candidate channels. Unknown users and items are never errors: they come back with
 * the cold-start defaults of {@link coldStartUser} and {@link coldStartItem}.
 */
export interface OnlineFeatureStore {
  /** The user's profile, aggregates, pair aggregates and purchased items. */
  getUser(userId: string): Promise<UserFeatures>;

  /** Attributes and aggregates of each item, keyed by id; every requested id is present. */
  getItems(itemIds: readonly string[]): Promise<Map<string, ItemFeatures>>;

  /** Marketplace totals and the moment the store was built for. */
  getGlobal(): Promise<GlobalFeatures>;

  /**
   * Candidates for the user from the four channels, at most `quotas[channel]` from each,
   * without duplicates (a channel earlier in `exploit, popularity, recent, explore` keeps an
   * item offered by several) and without items the user bought. Pass `user` when it was just
   * fetched to spare a second read.
   */
  getCandidates(
    userId: string,
    quotas: ChannelQuotas,
    user?: UserFeatures,
  ): Promise<CandidateReference[]>;

  /** Releases connections or files. */
  close(): Promise<void>;
}

/** Aggregates of a user with no history: zero counts, never clicked. */
export function emptyUserAggregates(): StoredUserAggregates {
  return {
    impressions: 0,
    clicks: { count: 0, decayed: 0, updated_at: 0 },
    last_click_at: null,
    purchases: 0,
    clicked_log_price_sum: 0,
    clicked_log_price_square_sum: 0,
    clicked_price_count: 0,
    clicked_rating_sum: 0,
    clicked_rating_count: 0,
    clicked_discount_sum: 0,
    clicked_discount_count: 0,
  };
}

/**
 * The cold-start user: unknown profile (null geo and acquisition channel), zero counts, no
 * pair history, nothing bought. The model sees exactly what it saw offline for a user's first
 * event, so cold start is a trained-for case rather than an error.
 */
export function coldStartUser(userId: string): UserFeatures {
  return {
    user_id: userId,
    known: false,
    geo: null,
    acquisition_channel: null,
    aggregates: emptyUserAggregates(),
    categories: {},
    brands: {},
    items: {},
    purchased_items: [],
  };
}

/**
 * The cold-start item: null attributes (no category, brand, price, rating, discount or
 * creation time), zero counts and no first sighting.
 */
export function coldStartItem(itemId: string): ItemFeatures {
  return {
    item_id: itemId,
    known: false,
    category: null,
    brand: null,
    price: null,
    rating: null,
    discount: null,
    created_at: null,
    aggregates: {
      impressions: 0,
      clicks: { count: 0, decayed: 0, updated_at: 0 },
      purchases: 0,
      first_seen_at: null,
    },
  };
}

/** Marketplace totals of an empty store. */
export function emptyGlobalFeatures(): GlobalFeatures {
  return { impressions: 0, clicks: 0, purchases: 0, as_of: null };
}
