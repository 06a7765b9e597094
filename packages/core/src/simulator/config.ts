import { InvalidMarketplaceConfigError } from './errors';

/** The four candidate channels a feed is assembled from; each shown item records its channel. */
export const candidateChannels = ['exploit', 'explore', 'popularity', 'recent'] as const;

/** One of {@link candidateChannels}. */
export type CandidateChannel = (typeof candidateChannels)[number];

/**
 * Share of feed slots the default logging policy fills from each channel (any non-negative
 * weights; they are normalised per request). A user without history has no exploit
 * candidates, and an empty recent window has no recent ones: those shares go to popularity and
 * explore respectively.
 */
export type ChannelMix = Record<CandidateChannel, number>;

/** Everything that sizes and shapes a simulated marketplace. All fields have defaults. */
export interface MarketplaceConfig {
  /** Seed of every random stream; the same config gives identical tables. Default 7. */
  seed: number;
  /** Number of users. Default 2,000. */
  users: number;
  /** Number of catalogue items, including those launched during the period. Default 1,500. */
  items: number;
  /** Number of categories (Zipf-popular). Default 24. */
  categories: number;
  /** Brands per category (Zipf-popular within it). Default 8. */
  brandsPerCategory: number;
  /** Length of the simulated period in days. Default 14. */
  days: number;
  /** Start of the period, an ISO-8601 UTC instant. Default `2024-03-01T00:00:00Z`. */
  start: string;
  /** Items shown per feed request (positions 1..feedSize). Default 10. */
  feedSize: number;
  /** Mean sessions a user starts per day (each user's activity scales it). Default 0.65. */
  sessionsPerUserPerDay: number;
  /** Mean feed requests per session (at least 1; geometric). Default 2.2. */
  requestsPerSession: number;
  /** Share of items that launch during the period rather than before it. Default 0.12. */
  newItemShare: number;
  /** Days after launch during which an item counts as new (recent channel, novelty). Default 7. */
  newItemDays: number;
  /** Channel shares of the default logging policy. Default exploit 0.45, explore 0.15,
   * popularity 0.25, recent 0.15. */
  channelMix: ChannelMix;
  /** Items on the trending board the popularity channel draws from. Default 100. */
  trendingBoardSize: number;
  /** Half-life of a click's weight on the trending board, in hours. Default 24. */
  trendingHalfLifeHours: number;
}

/** The default marketplace: about 400k impressions over 14 days, simulated in a few seconds. */
export const defaultMarketplaceConfig: Readonly<MarketplaceConfig> = Object.freeze({
  seed: 7,
  users: 2000,
  items: 1500,
  categories: 24,
  brandsPerCategory: 8,
  days: 14,
  start: '2024-03-01T00:00:00Z',
  feedSize: 10,
  sessionsPerUserPerDay: 0.65,
  requestsPerSession: 2.2,
  newItemShare: 0.12,
  newItemDays: 7,
  channelMix: Object.freeze({ exploit: 0.45, explore: 0.15, popularity: 0.25, recent: 0.15 }),
  trendingBoardSize: 100,
  trendingHalfLifeHours: 24,
});

/** A config where any field may be left out (and `channelMix` given in part). */
export type MarketplaceConfigInput = Partial<Omit<MarketplaceConfig, 'channelMix'>> & {
  channelMix?: Partial<ChannelMix>;
};

/**
 * Fills the missing fields of `input` from {@link defaultMarketplaceConfig} and validates the
 * result; throws {@link InvalidMarketplaceConfigError} naming the first bad field and value.
 */
export function resolveMarketplaceConfig(input: MarketplaceConfigInput = {}): MarketplaceConfig {
  const config: MarketplaceConfig = {
    ...defaultMarketplaceConfig,
    ...stripUndefined(input),
    channelMix: { ...defaultMarketplaceConfig.channelMix, ...stripUndefined(input.channelMix) },
  };
  validate(config);
  return config;
}

/**
 * Impressions the config produces on average: users × days × sessions per user and day ×
 * requests per session × feed size (users' activity multipliers average 1 by construction).
 * Clicks, carts and purchases add roughly another 5–10 % of events.
 */
export function expectedImpressions(config: MarketplaceConfigInput): number {
  const resolved = resolveMarketplaceConfig(config);
  return (
    resolved.users *
    resolved.days *
    resolved.sessionsPerUserPerDay *
    resolved.requestsPerSession *
    resolved.feedSize
  );
}

/**
 * A config sized for about `targetImpressions` impressions: users grow in proportion and the
 * catalogue with the square root of the factor (catalogues grow slower than traffic, so items
 * gather more impressions each at scale); days, feed size and behaviour stay those of `base`.
 */
export function scaleMarketplaceConfig(
  targetImpressions: number,
  base: MarketplaceConfigInput = defaultMarketplaceConfig,
): MarketplaceConfig {
  if (!Number.isFinite(targetImpressions) || targetImpressions <= 0) {
    throw new InvalidMarketplaceConfigError('targetImpressions', targetImpressions, 'must be > 0');
  }
  const resolved = resolveMarketplaceConfig(base);
  const factor = targetImpressions / expectedImpressions(resolved);
  const minimumItems = Math.max(resolved.categories, resolved.feedSize * 2);
  return resolveMarketplaceConfig({
    ...resolved,
    users: Math.max(1, Math.round(resolved.users * factor)),
    items: Math.max(minimumItems, Math.round(resolved.items * Math.sqrt(factor))),
  });
}

/** The start of the period in epoch milliseconds. */
export function startMilliseconds(config: MarketplaceConfig): number {
  return Date.parse(config.start);
}

function stripUndefined<T extends object>(value: T | undefined): Partial<T> {
  if (!value) return {};
  return Object.fromEntries(
    Object.entries(value).filter(([, field]) => field !== undefined),
  ) as Partial<T>;
}

function validate(config: MarketplaceConfig): void {
  requireInteger(config, 'seed', -(2 ** 31), 2 ** 32 - 1);
  requireInteger(config, 'users', 1, 10_000_000);
  requireInteger(config, 'categories', 1, 10_000);
  requireInteger(config, 'brandsPerCategory', 1, 10_000);
  requireInteger(config, 'items', config.categories, 10_000_000);
  requireInteger(config, 'days', 1, 3650);
  requireInteger(config, 'feedSize', 1, Math.min(100, config.items));
  requireInteger(config, 'trendingBoardSize', 1, 1_000_000);
  requireNumber(config, 'sessionsPerUserPerDay', 0, 1000, false);
  requireNumber(config, 'requestsPerSession', 1, 1000, true);
  requireNumber(config, 'newItemShare', 0, 1, true);
  requireNumber(config, 'newItemDays', 0, 3650, false);
  requireNumber(config, 'trendingHalfLifeHours', 0, 100_000, false);
  if (typeof config.start !== 'string' || !/^\d{4}-\d\d-\d\dT/.test(config.start)) {
    throw new InvalidMarketplaceConfigError('start', config.start, 'must be an ISO-8601 instant');
  }
  if (Number.isNaN(Date.parse(config.start))) {
    throw new InvalidMarketplaceConfigError('start', config.start, 'is not a valid date');
  }
  let mixTotal = 0;
  for (const channel of Object.keys(config.channelMix)) {
    if (!(candidateChannels as readonly string[]).includes(channel)) {
      throw new InvalidMarketplaceConfigError(`channelMix.${channel}`, channel, 'unknown channel');
    }
  }
  for (const channel of candidateChannels) {
    const share = config.channelMix[channel];
    if (typeof share !== 'number' || !Number.isFinite(share) || share < 0) {
      throw new InvalidMarketplaceConfigError(`channelMix.${channel}`, share, 'must be >= 0');
    }
    mixTotal += share;
  }
  if (mixTotal <= 0) {
    throw new InvalidMarketplaceConfigError('channelMix', config.channelMix, 'shares sum to 0');
  }
}

type NumericField = Exclude<keyof MarketplaceConfig, 'start' | 'channelMix'>;

function requireInteger(config: MarketplaceConfig, field: NumericField, min: number, max: number) {
  const value = config[field];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new InvalidMarketplaceConfigError(field, value, `must be an integer in [${min}, ${max}]`);
  }
}

function requireNumber(
  config: MarketplaceConfig,
  field: NumericField,
  min: number,
  max: number,
  minimumIncluded: boolean,
) {
  const value = config[field];
  const aboveMinimum = minimumIncluded ? value >= min : value > min;
  if (typeof value !== 'number' || !Number.isFinite(value) || !aboveMinimum || value > max) {
    const range = `${minimumIncluded ? '[' : '('}${min}, ${max}]`;
    throw new InvalidMarketplaceConfigError(field, value, `must be a number in ${range}`);
  }
}
