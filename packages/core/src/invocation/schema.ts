import { z } from 'zod';

/**
 * The invocation contract of the ranker endpoint, version 1: what an app service (through
 * `@gfr/client`) sends to `/invocations` and what it gets back. The request carries the user's
 * stored aggregates and each candidate's, so the endpoint needs no feature store of its own and
 * computes model inputs with the same vectorizer as training. Field names are snake_case JSON.
 */

/** Version string every request and response carries. */
export const invocationSchemaVersion = '1';

/** Largest number of candidates one request may carry. */
export const maximumCandidates = 2000;

/**
 * Largest candidate price, in the catalogue's currency: far above any real price, and low
 * enough that price^price_weight (weight at most 2) stays a finite score.
 */
export const maximumPrice = 1e12;

const count = z.number().finite().nonnegative();
const epochSeconds = z.number().finite();

/** A count with its time-decayed twin, as stored (see `DecayedCount`). */
export const decayedCountSchema = z.object({
  count,
  decayed: count,
  updated_at: epochSeconds,
});

/** A user's history with one category, brand or item. */
export const pairAggregatesSchema = z.object({
  clicks: decayedCountSchema,
  purchases: count,
});

/** The user's own aggregates (see `UserAggregates`). */
export const userAggregatesSchema = z.object({
  impressions: count,
  clicks: decayedCountSchema,
  last_click_at: epochSeconds.nullable(),
  purchases: count,
  clicked_log_price_sum: z.number().finite(),
  clicked_log_price_square_sum: count,
  clicked_price_count: count,
  clicked_rating_sum: count,
  clicked_rating_count: count,
  clicked_discount_sum: z.number().finite(),
  clicked_discount_count: count,
});

/** The user: id, profile, aggregates and per-category, per-brand and per-item history. */
export const invocationUserSchema = z.object({
  user_id: z.string().min(1),
  geo: z.string().nullable().default(null),
  acquisition_channel: z.string().nullable().default(null),
  aggregates: userAggregatesSchema.optional(),
  categories: z.record(z.string(), pairAggregatesSchema).default({}),
  brands: z.record(z.string(), pairAggregatesSchema).default({}),
  items: z.record(z.string(), pairAggregatesSchema).default({}),
  /** Items the user bought; they are never ranked. */
  purchased_items: z.array(z.string()).default([]),
});

/** A candidate's own aggregates (see `ItemAggregates`). */
export const itemAggregatesSchema = z.object({
  impressions: count,
  clicks: decayedCountSchema,
  purchases: count,
  first_seen_at: epochSeconds.nullable(),
});

/** Candidate channels. */
export const channelNames = ['exploit', 'explore', 'popularity', 'recent'] as const;

/** One candidate: the item, where it came from, its catalogue attributes and aggregates. */
export const invocationCandidateSchema = z.object({
  item_id: z.string().min(1),
  channel: z.enum(channelNames),
  category: z.string().nullable().default(null),
  brand: z.string().nullable().default(null),
  price: z.number().nonnegative().max(maximumPrice).nullable().default(null),
  rating: z.number().finite().nullable().default(null),
  discount: z.number().finite().min(0).max(1).nullable().default(null),
  created_at: epochSeconds.nullable().default(null),
  aggregates: itemAggregatesSchema.optional(),
});

/** Marketplace-wide totals: the priors of smoothed rates. */
export const globalAggregatesSchema = z.object({
  impressions: count,
  clicks: count,
  purchases: count,
});

/** Per-channel share limits of the top k, each in [0, 1]. */
export const channelQuotaSchema = z
  .object({
    min: z.number().min(0).max(1).default(0),
    max: z.number().min(0).max(1).default(1),
  })
  .refine((quota) => quota.min <= quota.max, {
    message: 'min must not exceed max',
    path: ['min'],
  });

/** How the ranked feed is assembled; every field has a default. */
export const blendSchema = z.object({
  /** Score = pCTR × pCVR × price^price_weight (0: expected conversion, 1: expected revenue). */
  price_weight: z.number().min(0).max(2).default(0),
  /** Shares of the top k per channel. */
  channel_quotas: z.partialRecord(z.enum(channelNames), channelQuotaSchema).default({}),
  /** Most items of one category in the top k; default: no cap. */
  category_cap: z.number().int().positive().nullable().default(null),
  /** 1-based positions reserved for explore items, when any are eligible. */
  explore_positions: z.array(z.number().int().positive()).default([]),
});

/** The request body of `POST /invocations`. */
export const invocationRequestSchema = z.object({
  schema_version: z.literal(invocationSchemaVersion),
  request_id: z.string().min(1).max(128).optional(),
  /** Epoch seconds the feed is ranked for; default: when the request arrives. */
  time: epochSeconds.optional(),
  /** Items to return (default 10). */
  k: z.number().int().positive().max(maximumCandidates).default(10),
  user: invocationUserSchema,
  global: globalAggregatesSchema.default({ impressions: 0, clicks: 0, purchases: 0 }),
  blend: blendSchema.default({
    price_weight: 0,
    channel_quotas: {},
    category_cap: null,
    explore_positions: [],
  }),
  candidates: z
    .array(invocationCandidateSchema)
    .min(1)
    .max(maximumCandidates)
    .superRefine((candidates, context) => {
      // A repeated item would be scored twice and shown once: the caller's list is wrong.
      const firstIndex = new Map<string, number>();
      candidates.forEach((candidate, index) => {
        const first = firstIndex.get(candidate.item_id);
        if (first === undefined) firstIndex.set(candidate.item_id, index);
        else {
          context.addIssue({
            code: 'custom',
            path: [index, 'item_id'],
            message: `duplicate item_id ${JSON.stringify(candidate.item_id)} (also candidates[${first}])`,
          });
        }
      });
    }),
});

/** One ranked item of the response. */
export interface RankedCandidate {
  item_id: string;
  channel: (typeof channelNames)[number];
  /** 1-based position in the feed. */
  position: number;
  p_ctr: number;
  p_cvr: number;
  score: number;
}

/** The response body of `POST /invocations`. */
export interface InvocationResponse {
  schema_version: typeof invocationSchemaVersion;
  request_id: string | null;
  model_version: string;
  items: RankedCandidate[];
}

/** A validated request. */
export type InvocationRequest = z.infer<typeof invocationRequestSchema>;
/** A request as a caller writes it (defaults not yet applied). */
export type InvocationRequestInput = z.input<typeof invocationRequestSchema>;
/** A validated candidate. */
export type InvocationCandidate = z.infer<typeof invocationCandidateSchema>;
/** A validated user block. */
export type InvocationUser = z.infer<typeof invocationUserSchema>;
/** Blend settings with defaults applied. */
export type BlendSettings = z.infer<typeof blendSchema>;
/** A candidate channel. */
export type ChannelName = (typeof channelNames)[number];
