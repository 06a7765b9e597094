import {
  GlobalAggregates,
  ItemAggregates,
  PairAggregates,
  UserAggregates,
  decayedValueAt,
} from './aggregate-state';
import { FeatureSettings, featureNames } from './feature-spec';

/** Catalogue attributes of a candidate item; unknown values are null. */
export interface CandidateAttributes {
  category: string | null;
  brand: string | null;
  price: number | null;
  rating: number | null;
  discount: number | null;
  /** Epoch seconds the item was created, or null when unknown. */
  createdAt: number | null;
}

/** Profile attributes of the user; unknown values are null. */
export interface UserProfile {
  geo: string | null;
  acquisitionChannel: string | null;
}

/** Everything one model input row is made of: stored aggregates, a candidate and a moment. */
export interface FeatureInput {
  /** Epoch seconds of the request (offline: the example's time). */
  time: number;
  /** 1-based slot, or null when unknown. */
  position: number | null;
  user: UserAggregates;
  item: ItemAggregates;
  userCategory: PairAggregates;
  userBrand: PairAggregates;
  userItem: PairAggregates;
  global: GlobalAggregates;
  candidate: CandidateAttributes;
  profile: UserProfile;
}

/** Writes one model input row into `out` at `offset` (feature order of {@link featureNames}). */
export type Vectorizer = (input: FeatureInput, out: Float32Array, offset?: number) => void;

const hoursPerSecond = 1 / 3600;
const daysPerSecond = 1 / 86400;

/**
 * Builds the one function that turns stored aggregates and a candidate into a model input row.
 * The offline training sets and the online scorer both call it, so they cannot disagree.
 * Missing values are NaN, which the trees route by their learned default direction.
 */
export function createVectorizer(settings: FeatureSettings): Vectorizer {
  const geoCodes = codeMap(settings.vocabularies.user_geo);
  const channelCodes = codeMap(settings.vocabularies.user_acquisition_channel);
  const halfLife = settings.halfLifeSeconds;

  return (input, out, offset = 0) => {
    const { user, item, userCategory, userBrand, userItem, global, candidate, time } = input;
    const userDecayedClicks = decayedValueAt(user.clicks, time, halfLife);
    const categoryDecayedClicks = decayedValueAt(userCategory.clicks, time, halfLife);
    const brandDecayedClicks = decayedValueAt(userBrand.clicks, time, halfLife);
    const globalPurchaseRate = smoothedRate(global.purchases, global.clicks, 0, 0, 0.05);
    const globalClickRate = smoothedRate(global.clicks, global.impressions, 0, 0, 0.05);
    const logPrice = candidate.price === null ? NaN : Math.log(Math.max(candidate.price, 0) + 1);
    const userLogPrice = meanAndSpread(
      user.clickedLogPriceSum,
      user.clickedLogPriceSquareSum,
      user.clickedPriceCount,
    );
    const priceVsUser = logPrice - userLogPrice.mean;

    let i = offset;
    out[i++] = input.position ?? NaN;
    out[i++] = user.clicks.count;
    out[i++] = userDecayedClicks;
    out[i++] = user.purchases;
    out[i++] = smoothedRate(
      user.purchases,
      user.clicks.count,
      settings.purchasePriorClicks,
      globalPurchaseRate,
      globalPurchaseRate,
    );
    out[i++] = (time - user.lastClickAt) * hoursPerSecond;
    out[i++] = userCategory.clicks.count;
    out[i++] = categoryDecayedClicks;
    out[i++] = userDecayedClicks > 0 ? categoryDecayedClicks / userDecayedClicks : NaN;
    out[i++] = userCategory.purchases;
    out[i++] = userBrand.clicks.count;
    out[i++] = brandDecayedClicks;
    out[i++] =
      userDecayedClicks > 0 && candidate.brand !== null
        ? brandDecayedClicks / userDecayedClicks
        : NaN;
    out[i++] = userItem.clicks.count;
    out[i++] = userItem.purchases;
    out[i++] = logPrice;
    out[i++] = priceVsUser;
    out[i++] = userLogPrice.spread > 0 ? priceVsUser / userLogPrice.spread : NaN;
    out[i++] = candidate.rating ?? NaN;
    out[i++] = (candidate.rating ?? NaN) - mean(user.clickedRatingSum, user.clickedRatingCount);
    out[i++] = candidate.discount ?? NaN;
    out[i++] =
      (candidate.discount ?? NaN) - mean(user.clickedDiscountSum, user.clickedDiscountCount);
    out[i++] = item.clicks.count;
    out[i++] = decayedValueAt(item.clicks, time, halfLife);
    out[i++] = item.impressions;
    out[i++] =
      global.impressions > 0
        ? smoothedRate(
            item.clicks.count,
            item.impressions,
            settings.ctrPriorImpressions,
            globalClickRate,
            NaN,
          )
        : NaN;
    out[i++] = smoothedRate(
      item.purchases,
      item.clicks.count,
      settings.purchasePriorClicks,
      globalPurchaseRate,
      globalPurchaseRate,
    );
    out[i++] = itemAgeDays(candidate.createdAt, item.firstSeenAt, time);
    out[i++] = lookupCode(geoCodes, input.profile.geo);
    out[i++] = lookupCode(channelCodes, input.profile.acquisitionChannel);

    if (i - offset !== featureNames.length) {
      throw new Error(`vectorize wrote ${i - offset} features, expected ${featureNames.length}`);
    }
  };
}

/**
 * (successes + strength·prior) / (trials + strength): the posterior mean of a Beta prior with
 * the given strength. With no trials and no prior strength it returns `fallback`.
 */
export function smoothedRate(
  successes: number,
  trials: number,
  strength: number,
  prior: number,
  fallback: number,
): number {
  const denominator = trials + strength;
  if (denominator <= 0) return fallback;
  return (successes + strength * prior) / denominator;
}

function mean(sum: number, count: number): number {
  return count > 0 ? sum / count : NaN;
}

function meanAndSpread(sum: number, squareSum: number, count: number) {
  if (count === 0) return { mean: NaN, spread: NaN };
  const average = sum / count;
  const variance = Math.max(0, squareSum / count - average * average);
  return { mean: average, spread: Math.sqrt(variance) };
}

function itemAgeDays(createdAt: number | null, firstSeenAt: number, time: number): number {
  const origin = createdAt ?? firstSeenAt;
  if (origin === null || Number.isNaN(origin)) return NaN;
  return (time - origin) * daysPerSecond;
}

function codeMap(vocabulary: readonly string[]): Map<string, number> {
  return new Map(vocabulary.map((value, code) => [value, code]));
}

function lookupCode(codes: Map<string, number>, value: string | null): number {
  if (value === null) return NaN;
  return codes.get(value) ?? NaN;
}
