import { DecayedCount, PairAggregates } from '../features/aggregate-state';
import { FeatureInput } from '../features/vectorize';
import { emptyFeatureInput } from '../features/point-in-time';
import { InvocationCandidate, InvocationRequest } from './schema';

type StoredCount = { count: number; decayed: number; updated_at: number };
type StoredPair = { clicks: StoredCount; purchases: number };

/**
 * Fills `input` (reused across candidates to spare allocations) with the model inputs of one
 * candidate of a request, at the request's time. Absent aggregates mean "no history yet": the
 * cold-start values are zero counts and missing rates, exactly what an unseen user or item has
 * offline.
 */
export function fillFeatureInputFromRequest(
  input: FeatureInput,
  request: InvocationRequest,
  candidate: InvocationCandidate,
  time: number,
): FeatureInput {
  const { user } = request;
  input.time = time;
  input.position = 1;

  const stored = user.aggregates;
  const aggregates = input.user;
  aggregates.impressions = stored?.impressions ?? 0;
  copyCount(aggregates.clicks, stored?.clicks);
  aggregates.lastClickAt = stored?.last_click_at ?? NaN;
  aggregates.purchases = stored?.purchases ?? 0;
  aggregates.clickedLogPriceSum = stored?.clicked_log_price_sum ?? 0;
  aggregates.clickedLogPriceSquareSum = stored?.clicked_log_price_square_sum ?? 0;
  aggregates.clickedPriceCount = stored?.clicked_price_count ?? 0;
  aggregates.clickedRatingSum = stored?.clicked_rating_sum ?? 0;
  aggregates.clickedRatingCount = stored?.clicked_rating_count ?? 0;
  aggregates.clickedDiscountSum = stored?.clicked_discount_sum ?? 0;
  aggregates.clickedDiscountCount = stored?.clicked_discount_count ?? 0;

  const item = candidate.aggregates;
  input.item.impressions = item?.impressions ?? 0;
  copyCount(input.item.clicks, item?.clicks);
  input.item.purchases = item?.purchases ?? 0;
  input.item.firstSeenAt = item?.first_seen_at ?? NaN;

  copyPair(
    input.userCategory,
    candidate.category === null ? undefined : user.categories[candidate.category],
  );
  copyPair(input.userBrand, candidate.brand === null ? undefined : user.brands[candidate.brand]);
  copyPair(input.userItem, user.items[candidate.item_id]);

  input.global.impressions = request.global.impressions;
  input.global.clicks = request.global.clicks;
  input.global.purchases = request.global.purchases;

  input.candidate.category = candidate.category;
  input.candidate.brand = candidate.brand;
  input.candidate.price = candidate.price;
  input.candidate.rating = candidate.rating;
  input.candidate.discount = candidate.discount;
  input.candidate.createdAt = candidate.created_at;
  input.profile.geo = user.geo;
  input.profile.acquisitionChannel = user.acquisition_channel;
  return input;
}

/** A fresh input to pass to {@link fillFeatureInputFromRequest}. */
export const newFeatureInput = emptyFeatureInput;

function copyCount(target: DecayedCount, source: StoredCount | undefined): void {
  target.count = source?.count ?? 0;
  target.decayed = source?.decayed ?? 0;
  target.updatedAt = source?.updated_at ?? 0;
}

function copyPair(target: PairAggregates, source: StoredPair | undefined): void {
  copyCount(target.clicks, source?.clicks);
  target.purchases = source?.purchases ?? 0;
}
