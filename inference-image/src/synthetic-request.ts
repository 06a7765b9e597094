import { InvocationRequestInput, channelNames } from '@gfr/core';

/** Options of {@link syntheticInvocationRequest}. */
export interface SyntheticRequestOptions {
  /** Candidates in the request. */
  candidates: number;
  /** Items to return. @default 10 */
  k?: number;
  /** Seed of the generator: same seed, same request. @default 1 */
  seed?: number;
  /** Epoch seconds the aggregates are relative to. @default 1_780_000_000 */
  now?: number;
  /** Ids among the candidates (`item-<index>`) the user bought. @default none */
  purchasedItems?: string[];
}

/**
 * A schema-valid version 1 request with realistic shapes (every channel, shared categories
 * and brands, item and user history, some cold items) for load tests and smoke tests. The
 * values are made up: it exercises the server, it says nothing about ranking quality.
 */
export function syntheticInvocationRequest(
  options: SyntheticRequestOptions,
): InvocationRequestInput {
  const random = mulberry32(options.seed ?? 1);
  const now = options.now ?? 1_780_000_000;
  const ago = (maxSeconds: number) => Math.round(now - random() * maxSeconds);
  const count = (max: number) => Math.floor(random() * max);
  const decayed = (max: number) => {
    const total = count(max);
    return { count: total, decayed: total * random(), updated_at: ago(86_400 * 7) };
  };
  const category = (index: number) => `category-${index % 20}`;
  const brand = (index: number) => `brand-${index % 50}`;

  const pairs = (names: string[]) =>
    Object.fromEntries(names.map((name) => [name, { clicks: decayed(10), purchases: count(2) }]));

  return {
    schema_version: '1',
    request_id: `synthetic-${options.seed ?? 1}`,
    time: now,
    k: options.k ?? 10,
    user: {
      user_id: 'synthetic-user',
      geo: 'DE',
      acquisition_channel: 'organic',
      aggregates: {
        impressions: 400,
        clicks: decayed(60),
        last_click_at: ago(86_400),
        purchases: 3,
        clicked_log_price_sum: 90,
        clicked_log_price_square_sum: 300,
        clicked_price_count: 30,
        clicked_rating_sum: 120,
        clicked_rating_count: 30,
        clicked_discount_sum: 4,
        clicked_discount_count: 30,
      },
      categories: pairs([0, 1, 2, 3, 4].map(category)),
      brands: pairs([0, 1, 2, 3, 4, 5, 6].map(brand)),
      items: pairs(['item-1', 'item-2', 'item-3']),
      purchased_items: options.purchasedItems ?? [],
    },
    global: { impressions: 5_000_000, clicks: 200_000, purchases: 9_000 },
    candidates: Array.from({ length: options.candidates }, (_, index) => {
      const cold = random() < 0.1;
      return {
        item_id: `item-${index}`,
        channel: channelNames[index % channelNames.length],
        category: category(index),
        brand: brand(index * 7),
        price: Math.round(Math.exp(2 + random() * 4) * 100) / 100,
        rating: cold ? null : Math.round((3 + random() * 2) * 10) / 10,
        discount: random() < 0.3 ? Math.round(random() * 50) / 100 : 0,
        created_at: ago(86_400 * 90),
        ...(cold
          ? {}
          : {
              aggregates: {
                impressions: 100 + count(10_000),
                clicks: decayed(400),
                purchases: count(20),
                first_seen_at: ago(86_400 * 90),
              },
            }),
      };
    }),
  };
}

/** A small seeded generator of uniform numbers in [0, 1). */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
