/**
 * The stored aggregates that features are made of. Offline they come from DuckDB (one row per
 * entity and moment, joined point-in-time); online they come from the feature store (the latest
 * row per entity). Either way they reach {@link vectorize} in these shapes.
 *
 * Times are epoch seconds (UTC). A decayed count is stored with the moment it was last updated,
 * so it can be brought forward to any later time without knowing when counting began.
 */

/** A count with its exponentially time-decayed twin, as of `updatedAt`. */
export interface DecayedCount {
  /** Events counted, undecayed. */
  count: number;
  /** Sum over those events of 2^(−age / half-life), evaluated at `updatedAt`. */
  decayed: number;
  /** Epoch seconds at which `decayed` was evaluated (the entity's last update). */
  updatedAt: number;
}

/** An entity's history before the example's time: nothing yet is all zeros. */
export const emptyDecayedCount: DecayedCount = { count: 0, decayed: 0, updatedAt: 0 };

/** What a user did before the example's time. */
export interface UserAggregates {
  impressions: number;
  clicks: DecayedCount;
  /** Epoch seconds of the user's last click, or NaN when none. */
  lastClickAt: number;
  purchases: number;
  /** Sum, sum of squares and count of ln(price) over the items the user clicked (with a price). */
  clickedLogPriceSum: number;
  clickedLogPriceSquareSum: number;
  clickedPriceCount: number;
  /** Sum and count of ratings of the items the user clicked (with a rating). */
  clickedRatingSum: number;
  clickedRatingCount: number;
  /** Sum and count of discounts (shares) of the items the user clicked (with a discount). */
  clickedDiscountSum: number;
  clickedDiscountCount: number;
}

/** What happened to an item before the example's time. */
export interface ItemAggregates {
  impressions: number;
  clicks: DecayedCount;
  purchases: number;
  /** Epoch seconds of the item's first event, or NaN when it has none. */
  firstSeenAt: number;
}

/** A user's history with one category, brand or item before the example's time. */
export interface PairAggregates {
  clicks: DecayedCount;
  purchases: number;
}

/** Marketplace-wide totals before the example's time: the priors of smoothed rates. */
export interface GlobalAggregates {
  impressions: number;
  clicks: number;
  purchases: number;
}

/** Brings a decayed count forward to `time` (epoch seconds) with the given half-life. */
export function decayedValueAt(
  counter: DecayedCount,
  time: number,
  halfLifeSeconds: number,
): number {
  if (counter.count === 0) return 0;
  const age = Math.max(0, time - counter.updatedAt);
  return counter.decayed * Math.pow(2, -age / halfLifeSeconds);
}
