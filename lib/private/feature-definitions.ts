/**
 * The feature definitions of the online store's three feature groups, in the record layout of
 * `@gfr/client` (`packages/client/src/feature-store/record-codec.ts`, documented in
 * docs/online-feature-store.md). A test encodes records with the client's codec and checks that
 * every feature it writes is defined here with the right type.
 */

/** Feature Store's value types; gfr writes every value as a string and uses these two. */
export type FeatureType = 'String' | 'Fractional';

/** One feature group's layout. */
export interface FeatureGroupLayout {
  readonly recordIdentifier: string;
  readonly eventTime: string;
  readonly features: Readonly<Record<string, FeatureType>>;
}

const EVENT_TIME = 'event_time';

function fractional(...names: string[]): Record<string, FeatureType> {
  return Object.fromEntries(names.map((name) => [name, 'Fractional' as const]));
}

function text(...names: string[]): Record<string, FeatureType> {
  return Object.fromEntries(names.map((name) => [name, 'String' as const]));
}

/** The users group: profile, click and purchase aggregates, pair aggregates, exploit list. */
export const USERS_LAYOUT: FeatureGroupLayout = {
  recordIdentifier: 'user_id',
  eventTime: EVENT_TIME,
  features: {
    ...text('user_id', EVENT_TIME, 'geo', 'acquisition_channel'),
    ...fractional(
      'impressions',
      'clicks',
      'clicks_decayed',
      'updated_at',
      'last_click_at',
      'purchases',
      'clicked_log_price_sum',
      'clicked_log_price_square_sum',
      'clicked_price_count',
      'clicked_rating_sum',
      'clicked_rating_count',
      'clicked_discount_sum',
      'clicked_discount_count',
    ),
    ...text('category_aggregates', 'brand_aggregates', 'item_aggregates', 'exploit_items'),
  },
};

/** The items group: attributes and aggregates of each item. */
export const ITEMS_LAYOUT: FeatureGroupLayout = {
  recordIdentifier: 'item_id',
  eventTime: EVENT_TIME,
  features: {
    ...text('item_id', EVENT_TIME, 'category', 'brand'),
    ...fractional(
      'price',
      'rating',
      'discount',
      'created_at',
      'first_seen_at',
      'impressions',
      'clicks',
      'clicks_decayed',
      'updated_at',
      'purchases',
    ),
  },
};

/** The global group: one record with the priors and the candidate channels' lists. */
export const GLOBAL_LAYOUT: FeatureGroupLayout = {
  recordIdentifier: 'record_id',
  eventTime: EVENT_TIME,
  features: {
    ...text('record_id', EVENT_TIME),
    ...fractional('impressions', 'clicks', 'purchases', 'as_of'),
    ...text('popular_items', 'recent_items', 'category_top_items'),
  },
};
