import { MarketplaceConfig, startMilliseconds } from './config';
import { SeededRandom, zipfWeights } from '../random';

const dayMilliseconds = 86_400_000;

/** Category names, most popular first; configs with more categories get `category-41` etc. */
const categoryNames = [
  'womens-fashion', 'mens-fashion', 'shoes', 'phones', 'beauty', 'home-decor', 'kitchen',
  'toys', 'sports', 'books', 'laptops', 'grocery', 'pet-supplies', 'jewelry', 'watches',
  'furniture', 'garden', 'tools', 'automotive', 'baby', 'health', 'audio', 'gaming', 'cameras',
  'bags', 'outdoor', 'office', 'musical-instruments', 'stationery', 'lighting', 'bedding',
  'appliances', 'crafts', 'party-supplies', 'travel', 'tv-video', 'smart-home', 'fitness',
  'eyewear', 'swimwear',
]; // prettier-ignore

/**
 * Shape of the catalogue. Demand across categories follows Zipf's law with exponent 1 (the
 * first category draws about 4× the clicks of the fifth when users are alike); the catalogue
 * itself is flatter (exponent 0.7), as marketplaces stock long-tail categories deeply.
 */
export const catalogueShape = {
  categoryDemandExponent: 1.0,
  categoryStockExponent: 0.7,
  brandPopularityExponent: 1.1,
  /** Category median prices are log-uniform in this range (currency units). */
  medianPriceRange: [8, 300] as const,
  /** Spread of log price within a category around the brand's price tier. */
  logPriceSigma: 0.45,
  /** Spread of brand reputation, the brand's share of latent quality. */
  brandReputationSigma: 0.5,
  /** Spread of an item's own quality around its brand's reputation. */
  itemQualitySigma: 0.8,
  /** Rating = 4.0 + ratingPerQuality × quality + N(0, ratingNoise²), clamped to 1–5. */
  ratingPerQuality: 0.45,
  ratingNoise: 0.3,
  /** Items launched during the period have no reviews yet with this probability. */
  newItemUnratedShare: 0.5,
  /** Share of items on discount; discounts are 5–50 % in steps of 5, smaller ones likelier. */
  discountedShare: 0.35,
  /** Mean age at the start of the period of items launched before it, in days. */
  meanCatalogueAgeDays: 180,
};

/** One catalogue item as the simulator knows it, latent quality included. */
export interface SimulatedItem {
  /** Position in {@link Catalogue.items}. */
  readonly index: number;
  /** Id written to the canonical tables, e.g. `i00042`. */
  readonly id: string;
  readonly category: string;
  readonly categoryIndex: number;
  readonly brand: string;
  /** Index over all brands of the catalogue (category × brandsPerCategory + rank). */
  readonly brandIndex: number;
  /** List price in currency units, before discount. */
  readonly price: number;
  /** Discount share in [0, 0.5]. */
  readonly discount: number;
  /** Latent quality (about standard normal); drives rating, clicks and purchases. */
  readonly quality: number;
  /** Average review rating 1–5 with one decimal, or null for a new item without reviews. */
  readonly rating: number | null;
  /** Launch instant; the item cannot be shown before it. Written as `created_at`. */
  readonly launchedAt: Date;
}

/**
 * The generated catalogue: items as objects for callers, and the same facts as typed arrays
 * indexed by item for the hot loops (no per-impression object access).
 */
export class Catalogue {
  /** Items in id order. */
  readonly items: readonly SimulatedItem[];
  /** Category names by category index. */
  readonly categoryNames: readonly string[];
  /** Number of brands over all categories (categories × brands per category). */
  readonly brandCount: number;
  /** Within a category, the share of items (and of favourite picks) by brand rank. */
  readonly brandPopularity: Float64Array;
  /** Share of demand each category attracts from an average user (sums to 1). */
  readonly categoryDemand: Float64Array;
  /** Median list price of each category. */
  readonly categoryMedianPrice: Float64Array;
  /** Category index of each item. */
  readonly categoryOf: Int32Array;
  /** Brand index of each item. */
  readonly brandOf: Int32Array;
  /** log(price after discount / category median price) of each item. */
  readonly logRelativePrice: Float64Array;
  /** Latent quality of each item. */
  readonly quality: Float64Array;
  /** Rating − 4 of each item, 0 for unrated items. */
  readonly ratingOffset: Float64Array;
  /** Discount share of each item. */
  readonly discount: Float64Array;
  /** Launch instant of each item, epoch milliseconds. */
  readonly launchMs: Float64Array;
  /** Item indexes ordered by launch instant (then index). */
  readonly launchOrder: Int32Array;
  /**
   * Clicks per day each item drew before the period (category demand × e^quality, scaled to
   * `expectedDailyClicks` in total): seeds the trending board, which would otherwise start empty.
   */
  readonly priorDailyClicks: Float64Array;

  /** Generates the catalogue of `config`; `expectedDailyClicks` sizes the prior trending clicks. */
  constructor(config: MarketplaceConfig, expectedDailyClicks: number) {
    const random = SeededRandom.stream(config.seed, 'catalogue');
    const categoryCount = config.categories;
    const brandsPerCategory = config.brandsPerCategory;
    const itemCount = config.items;

    this.categoryNames = Array.from({ length: categoryCount }, (_, index) =>
      index < categoryNames.length ? categoryNames[index] : `category-${index + 1}`,
    );
    this.categoryDemand = zipfWeights(categoryCount, catalogueShape.categoryDemandExponent);
    const [lowPrice, highPrice] = catalogueShape.medianPriceRange;
    this.categoryMedianPrice = Float64Array.from({ length: categoryCount }, () =>
      roundCents(lowPrice * Math.exp(random.next() * Math.log(highPrice / lowPrice))),
    );

    const brandCount = categoryCount * brandsPerCategory;
    this.brandCount = brandCount;
    const brandPopularity = zipfWeights(brandsPerCategory, catalogueShape.brandPopularityExponent);
    this.brandPopularity = brandPopularity;
    const brandReputation = new Float64Array(brandCount);
    const brandPriceTier = new Float64Array(brandCount);
    for (let brand = 0; brand < brandCount; brand++) {
      brandReputation[brand] = catalogueShape.brandReputationSigma * random.normal();
      // Better brands charge more, which keeps price from being a pure negative signal.
      brandPriceTier[brand] = 0.3 * brandReputation[brand] + 0.2 * random.normal();
    }

    const stock = zipfWeights(categoryCount, catalogueShape.categoryStockExponent);
    const startMs = startMilliseconds(config);
    const periodMs = config.days * dayMilliseconds;
    const items: SimulatedItem[] = [];
    this.categoryOf = new Int32Array(itemCount);
    this.brandOf = new Int32Array(itemCount);
    this.logRelativePrice = new Float64Array(itemCount);
    this.quality = new Float64Array(itemCount);
    this.ratingOffset = new Float64Array(itemCount);
    this.discount = new Float64Array(itemCount);
    this.launchMs = new Float64Array(itemCount);
    this.priorDailyClicks = new Float64Array(itemCount);
    const idWidth = Math.max(5, String(itemCount).length);

    for (let index = 0; index < itemCount; index++) {
      // Every category gets at least one item; the rest follow the stock distribution.
      const category = index < categoryCount ? index : random.weightedIndex(stock);
      const brandRank = random.weightedIndex(brandPopularity);
      const brand = category * brandsPerCategory + brandRank;
      const logPrice =
        Math.log(this.categoryMedianPrice[category]) +
        brandPriceTier[brand] +
        catalogueShape.logPriceSigma * random.normal();
      const price = roundCents(Math.max(0.5, Math.exp(logPrice)));
      const quality = brandReputation[brand] + catalogueShape.itemQualitySigma * random.normal();
      const launchedInPeriod = random.bernoulli(config.newItemShare);
      const launchMs = launchedInPeriod
        ? startMs + Math.floor(random.next() * periodMs)
        : startMs -
          3_600_000 -
          Math.floor(random.exponential(catalogueShape.meanCatalogueAgeDays) * dayMilliseconds);
      const unrated = launchedInPeriod && random.bernoulli(catalogueShape.newItemUnratedShare);
      const ratingNoise = catalogueShape.ratingNoise * random.normal();
      const rating = unrated
        ? null
        : Math.round(
            10 * clamp(4 + catalogueShape.ratingPerQuality * quality + ratingNoise, 1, 5),
          ) / 10;
      const discount = random.bernoulli(catalogueShape.discountedShare)
        ? 0.05 * Math.min(10, 1 + Math.floor(random.exponential(2.5)))
        : 0;

      this.categoryOf[index] = category;
      this.brandOf[index] = brand;
      this.logRelativePrice[index] = Math.log(
        (price * (1 - discount)) / this.categoryMedianPrice[category],
      );
      this.quality[index] = quality;
      this.ratingOffset[index] = rating === null ? 0 : rating - 4;
      this.discount[index] = discount;
      this.launchMs[index] = launchMs;
      if (launchMs < startMs) {
        this.priorDailyClicks[index] = this.categoryDemand[category] * Math.exp(quality);
      }
      items.push({
        index,
        id: `i${String(index + 1).padStart(idWidth, '0')}`,
        category: this.categoryNames[category],
        categoryIndex: category,
        brand: `${this.categoryNames[category]}-brand-${String(brandRank + 1).padStart(2, '0')}`,
        brandIndex: brand,
        price,
        discount: Math.round(discount * 100) / 100,
        quality,
        rating,
        launchedAt: new Date(launchMs),
      });
    }

    this.items = items;
    this.launchOrder = Int32Array.from(items.keys()).sort(
      (left, right) => this.launchMs[left] - this.launchMs[right] || left - right,
    );
    scaleToTotal(this.priorDailyClicks, expectedDailyClicks);
  }

  /** Number of items. */
  get size(): number {
    return this.items.length;
  }
}

function roundCents(value: number): number {
  return Math.round(value * 100) / 100;
}

function clamp(value: number, low: number, high: number): number {
  return value < low ? low : value > high ? high : value;
}

function scaleToTotal(values: Float64Array, total: number): void {
  let sum = 0;
  for (const value of values) sum += value;
  if (sum <= 0) return;
  for (let index = 0; index < values.length; index++) values[index] *= total / sum;
}
