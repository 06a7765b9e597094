import { Catalogue } from './catalogue';
import { MarketplaceConfig } from './config';
import { SeededRandom } from '../random';

/**
 * Geographies (ISO country codes) with their share of users and how they shift behaviour.
 * `priceSensitivity` multiplies each user's sensitivity to paying above their comfort level;
 * `priceLevel` shifts that comfort level (log of price relative to the category median: +0.15
 * means about 16 % pricier items feel normal); `timezoneHours` places the daily activity peaks.
 * Each geography also tilts category tastes by a seeded random factor per category.
 */
export const geographies = [
  { code: 'US', share: 0.3, priceSensitivity: 0.9, priceLevel: 0.15, timezoneHours: -5 },
  { code: 'DE', share: 0.16, priceSensitivity: 1.05, priceLevel: 0.05, timezoneHours: 1 },
  { code: 'GB', share: 0.14, priceSensitivity: 1.0, priceLevel: 0.1, timezoneHours: 0 },
  { code: 'FR', share: 0.12, priceSensitivity: 1.0, priceLevel: 0.0, timezoneHours: 1 },
  { code: 'BR', share: 0.14, priceSensitivity: 1.35, priceLevel: -0.25, timezoneHours: -3 },
  { code: 'IN', share: 0.14, priceSensitivity: 1.6, priceLevel: -0.4, timezoneHours: 5.5 },
] as const;

/**
 * Acquisition channels with their share of users, relative activity (sessions per day; the
 * shares-weighted mean is normalised to 1), and shifts of click and purchase log-odds.
 * Paid and social users browse and click but buy less; email subscribers are returning
 * customers who buy more.
 */
export const acquisitionChannels = [
  { name: 'organic', share: 0.38, activity: 1.1, clickShift: 0, purchaseShift: 0 },
  { name: 'paid_search', share: 0.2, activity: 0.8, clickShift: 0.1, purchaseShift: -0.45 },
  { name: 'social', share: 0.15, activity: 0.9, clickShift: 0.2, purchaseShift: -0.6 },
  { name: 'email', share: 0.1, activity: 1.4, clickShift: 0.05, purchaseShift: 0.35 },
  { name: 'affiliate', share: 0.1, activity: 0.7, clickShift: -0.05, purchaseShift: -0.25 },
  { name: 'referral', share: 0.07, activity: 1.0, clickShift: 0.1, purchaseShift: 0.15 },
] as const;

/** Age bands with their share of users and shift of the price comfort level. */
export const ageBands = [
  { band: '18-24', share: 0.2, priceLevel: -0.15 },
  { band: '25-34', share: 0.32, priceLevel: 0 },
  { band: '35-44', share: 0.24, priceLevel: 0.08 },
  { band: '45-54', share: 0.14, priceLevel: 0.12 },
  { band: '55+', share: 0.1, priceLevel: 0.1 },
] as const;

/** Devices. On purpose they change nothing: a feature a model should learn to ignore. */
export const devices = [
  { name: 'android', share: 0.42 },
  { name: 'ios', share: 0.38 },
  { name: 'web', share: 0.2 },
] as const;

/** How users' own traits spread around their geography's and channel's (ground truth). */
export const populationShape = {
  /** Total Dirichlet concentration of category preferences: small means few favourites. */
  categoryConcentration: 2.5,
  /** Spread (log-normal sd) of each geography's per-category taste multipliers. */
  geographyTasteSigma: 0.6,
  /** Top categories in which a user may have a favourite brand, and the chance per category. */
  favoriteBrandCategories: 3,
  favoriteBrandChance: 0.6,
  priceSensitivitySigma: 0.35,
  priceLevelSigma: 0.3,
  /** Log-normal sd of activity: a few heavy users, many occasional ones. */
  activitySigma: 0.8,
  clickPropensitySigma: 0.35,
  purchasePropensitySigma: 0.5,
  /** Share of users who put items in the cart before buying (others buy directly). */
  cartUserShare: 0.55,
};

/** One user as the simulator knows them, latent preferences included. */
export interface SimulatedUser {
  /** Position in {@link Population.users}. */
  readonly index: number;
  /** Id written to the canonical tables, e.g. `u00042`. */
  readonly id: string;
  /** Country code, see {@link geographies}. */
  readonly geo: string;
  /** See {@link acquisitionChannels}. */
  readonly acquisitionChannel: string;
  readonly ageBand: string;
  readonly device: string;
  /** True share of interest per category (Dirichlet draw, sums to 1). */
  readonly categoryPreference: Float64Array;
  /** Brand indexes the user favours (at most one per top category). */
  readonly favoriteBrands: readonly number[];
  /** How strongly paying above the comfort level puts the user off (about 0.5–2.5). */
  readonly priceSensitivity: number;
  /** Comfort price level: log of price relative to the category median that feels normal. */
  readonly priceLevel: number;
  /** Multiplier of the mean sessions per day (population mean 1). */
  readonly activity: number;
  /** The user's own shift of click log-odds (acquisition channel included). */
  readonly clickPropensity: number;
  /** The user's own shift of purchase log-odds (acquisition channel included). */
  readonly purchasePropensity: number;
  /** Whether the user adds items to the cart before buying. */
  readonly usesCart: boolean;
  /** UTC offset of the user's geography in hours. */
  readonly timezoneHours: number;
}

/** The generated users, as objects for callers and as typed arrays for the hot loops. */
export class Population {
  /** Users in id order. */
  readonly users: readonly SimulatedUser[];
  /** Row-major users × categories matrix of true category preferences. */
  readonly categoryPreference: Float64Array;
  /** Row-major users × {@link favoriteBrandSlots} favourite brand indexes, -1 for none. */
  readonly favoriteBrand: Int32Array;
  /** Number of favourite-brand slots per user. */
  readonly favoriteBrandSlots = populationShape.favoriteBrandCategories;
  readonly priceSensitivity: Float64Array;
  readonly priceLevel: Float64Array;
  readonly activity: Float64Array;
  readonly clickPropensity: Float64Array;
  readonly purchasePropensity: Float64Array;

  /** Generates the users of `config`, with tastes over the catalogue's categories and brands. */
  constructor(config: MarketplaceConfig, catalogue: Catalogue) {
    const random = SeededRandom.stream(config.seed, 'population');
    const userCount = config.users;
    const categoryCount = config.categories;
    const slots = this.favoriteBrandSlots;

    const geographyTastes = geographies.map(() => {
      const taste = Float64Array.from(catalogue.categoryDemand, (demand) =>
        random.logNormal(Math.log(demand), populationShape.geographyTasteSigma),
      );
      return normalise(taste);
    });
    const channelActivityMean = acquisitionChannels.reduce(
      (sum, channel) => sum + channel.share * channel.activity,
      0,
    );
    const activitySigma = populationShape.activitySigma;
    const brandPopularity = catalogue.brandPopularity;
    const geographyShares = geographies.map((geo) => geo.share);
    const channelShares = acquisitionChannels.map((channel) => channel.share);
    const ageShares = ageBands.map((age) => age.share);
    const deviceShares = devices.map((device) => device.share);

    this.categoryPreference = new Float64Array(userCount * categoryCount);
    this.favoriteBrand = new Int32Array(userCount * slots).fill(-1);
    this.priceSensitivity = new Float64Array(userCount);
    this.priceLevel = new Float64Array(userCount);
    this.activity = new Float64Array(userCount);
    this.clickPropensity = new Float64Array(userCount);
    this.purchasePropensity = new Float64Array(userCount);
    const users: SimulatedUser[] = [];
    const idWidth = Math.max(5, String(userCount).length);

    for (let index = 0; index < userCount; index++) {
      const geoIndex = random.weightedIndex(geographyShares);
      const geo = geographies[geoIndex];
      const channel = acquisitionChannels[random.weightedIndex(channelShares)];
      const age = ageBands[random.weightedIndex(ageShares)];
      const device = devices[random.weightedIndex(deviceShares)];

      const preference = this.categoryPreference.subarray(
        index * categoryCount,
        (index + 1) * categoryCount,
      );
      const taste = geographyTastes[geoIndex];
      for (let category = 0; category < categoryCount; category++) {
        preference[category] = random.gamma(
          populationShape.categoryConcentration * taste[category],
        );
      }
      normalise(preference);

      const favoriteBrands: number[] = [];
      const topCategories = Array.from(preference.keys())
        .sort((left, right) => preference[right] - preference[left] || left - right)
        .slice(0, slots);
      for (const category of topCategories) {
        if (!random.bernoulli(populationShape.favoriteBrandChance)) continue;
        const brand = category * config.brandsPerCategory + random.weightedIndex(brandPopularity);
        this.favoriteBrand[index * slots + favoriteBrands.length] = brand;
        favoriteBrands.push(brand);
      }

      this.priceSensitivity[index] = random.logNormal(
        Math.log(geo.priceSensitivity),
        populationShape.priceSensitivitySigma,
      );
      this.priceLevel[index] =
        geo.priceLevel + age.priceLevel + populationShape.priceLevelSigma * random.normal();
      this.activity[index] =
        (channel.activity / channelActivityMean) *
        random.logNormal(-(activitySigma * activitySigma) / 2, activitySigma);
      this.clickPropensity[index] =
        channel.clickShift + populationShape.clickPropensitySigma * random.normal();
      this.purchasePropensity[index] =
        channel.purchaseShift + populationShape.purchasePropensitySigma * random.normal();

      users.push({
        index,
        id: `u${String(index + 1).padStart(idWidth, '0')}`,
        geo: geo.code,
        acquisitionChannel: channel.name,
        ageBand: age.band,
        device: device.name,
        categoryPreference: preference,
        favoriteBrands,
        priceSensitivity: this.priceSensitivity[index],
        priceLevel: this.priceLevel[index],
        activity: this.activity[index],
        clickPropensity: this.clickPropensity[index],
        purchasePropensity: this.purchasePropensity[index],
        usesCart: random.bernoulli(populationShape.cartUserShare),
        timezoneHours: geo.timezoneHours,
      });
    }
    this.users = users;
  }

  /** Number of users. */
  get size(): number {
    return this.users.length;
  }
}

function normalise(values: Float64Array): Float64Array {
  let total = 0;
  for (const value of values) total += value;
  if (total <= 0) values.fill(1 / values.length);
  else for (let index = 0; index < values.length; index++) values[index] /= total;
  return values;
}
