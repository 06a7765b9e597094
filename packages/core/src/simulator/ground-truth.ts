import { Catalogue } from './catalogue';
import { MarketplaceConfig } from './config';
import { Population } from './population';
import { sigmoid } from '../random';

const dayMilliseconds = 86_400_000;

/**
 * Coefficients of the true click model, on the log-odds scale of attractiveness:
 *
 *   P(click | user, item, position, time) = examination(position) × σ(utility)
 *   examination(position) = position^-positionDecay          (1, 0.62, 0.46, …, 0.20 at 10)
 *   utility = intercept + user click propensity (acquisition channel included)
 *           + categoryAffinity × log((preference + 0.02) / (1/categories + 0.02))
 *           + favoriteBrand × [item's brand is a favourite]
 *           − sensitivity × (priceAbove × max(0, gap) + priceBelow × max(0, −gap))
 *           + rating × (rating − 4) + discount × discount share + quality × latent quality
 *           + novelty × e^(−age in days / noveltyDays) + weekend × [Saturday or Sunday]
 *
 * where gap = log(price after discount / category median) − the user's comfort price level.
 * Each term maps to a feature gfr can compute from the log: category and brand affinity from
 * the user's history, price against the prices the user clicked, rating, discount, the item's
 * popularity (which reflects quality), item age, position, geography (tastes, price) and
 * acquisition channel. The examination model is the position-based model of Craswell et al.
 * (2008); the intercept puts the overall CTR at about 5 % under the default logging policy.
 */
export const clickModel = {
  intercept: -2.8,
  positionDecay: 0.7,
  categoryAffinity: 0.75,
  favoriteBrand: 0.6,
  priceAbove: 1.0,
  priceBelow: 0.25,
  rating: 0.5,
  discount: 1.6,
  quality: 0.3,
  novelty: 0.6,
  noveltyDays: 4,
  weekend: 0.1,
} as const;

/**
 * Coefficients of the true purchase-after-click model:
 *
 *   P(purchase | click) = σ(intercept + user purchase propensity (acquisition channel included)
 *       + quality × latent quality + rating × (rating − 4) + discount × discount share
 *       + relativePrice × log(price after discount / category median)
 *       − priceAbove × sensitivity × max(0, gap) + categoryAffinity × (the click model's term)
 *       + favoriteBrand × [favourite brand])
 *
 * Cheaper, better and discounted items convert better; a click on an item the user does not
 * really want (low affinity) converts worse. The intercept puts CVR after a click near 9 %.
 */
export const purchaseModel = {
  intercept: -3.4,
  quality: 0.45,
  rating: 0.3,
  discount: 1.5,
  relativePrice: -0.35,
  priceAbove: 0.6,
  categoryAffinity: 0.3,
  favoriteBrand: 0.3,
} as const;

/**
 * The marketplace's ground truth: the click and purchase probabilities of any user, item,
 * position and time. Works on indexes; {@link Marketplace} offers the same by id.
 */
export class GroundTruth {
  /** Row-major users × categories matrix of the category-affinity term (before coefficients). */
  private readonly categoryAffinity: Float64Array;
  private readonly examinationByPosition: Float64Array;
  private readonly categoryCount: number;

  /** Precomputes each user's category-affinity terms and the examination curve. */
  constructor(
    config: MarketplaceConfig,
    private readonly catalogue: Catalogue,
    private readonly population: Population,
  ) {
    this.categoryCount = config.categories;
    const uniform = 1 / config.categories + 0.02;
    this.categoryAffinity = Float64Array.from(population.categoryPreference, (preference) =>
      Math.log((preference + 0.02) / uniform),
    );
    this.examinationByPosition = new Float64Array(Math.max(config.feedSize, 100) + 1);
    for (let position = 1; position < this.examinationByPosition.length; position++) {
      this.examinationByPosition[position] = Math.pow(position, -clickModel.positionDecay);
    }
  }

  /** Probability that a user looks at a slot at this 1-based position. */
  examination(position: number): number {
    if (position < this.examinationByPosition.length) return this.examinationByPosition[position];
    return Math.pow(position, -clickModel.positionDecay);
  }

  /** How much the user wants the item's category (log-ratio to a uniform taste, unweighted). */
  affinity(user: number, item: number): number {
    return this.categoryAffinity[user * this.categoryCount + this.catalogue.categoryOf[item]];
  }

  /** Log-odds that an examined item is clicked. */
  clickUtility(user: number, item: number, timeMs: number): number {
    const catalogue = this.catalogue;
    const population = this.population;
    const gap = catalogue.logRelativePrice[item] - population.priceLevel[user];
    const pricePenalty = gap > 0 ? clickModel.priceAbove * gap : -clickModel.priceBelow * gap;
    const ageDays = (timeMs - catalogue.launchMs[item]) / dayMilliseconds;
    const weekend = isWeekend(timeMs, population.users[user].timezoneHours) ? 1 : 0;
    return (
      clickModel.intercept +
      population.clickPropensity[user] +
      clickModel.categoryAffinity * this.affinity(user, item) +
      clickModel.favoriteBrand * this.favoriteBrand(user, item) -
      population.priceSensitivity[user] * pricePenalty +
      clickModel.rating * catalogue.ratingOffset[item] +
      clickModel.discount * catalogue.discount[item] +
      clickModel.quality * catalogue.quality[item] +
      clickModel.novelty * Math.exp(-ageDays / clickModel.noveltyDays) +
      clickModel.weekend * weekend
    );
  }

  /** P(click) for the user, item, 1-based position and instant; 0 before the item's launch. */
  clickProbability(user: number, item: number, position: number, timeMs: number): number {
    if (timeMs < this.catalogue.launchMs[item]) return 0;
    return this.examination(position) * sigmoid(this.clickUtility(user, item, timeMs));
  }

  /** P(purchase | click) for the user and item at the instant; 0 before the item's launch. */
  purchaseProbability(user: number, item: number, timeMs: number): number {
    const catalogue = this.catalogue;
    if (timeMs < catalogue.launchMs[item]) return 0;
    const population = this.population;
    const relativePrice = catalogue.logRelativePrice[item];
    const gap = relativePrice - population.priceLevel[user];
    return sigmoid(
      purchaseModel.intercept +
        population.purchasePropensity[user] +
        purchaseModel.quality * catalogue.quality[item] +
        purchaseModel.rating * catalogue.ratingOffset[item] +
        purchaseModel.discount * catalogue.discount[item] +
        purchaseModel.relativePrice * relativePrice -
        purchaseModel.priceAbove * population.priceSensitivity[user] * Math.max(0, gap) +
        purchaseModel.categoryAffinity * this.affinity(user, item) +
        purchaseModel.favoriteBrand * this.favoriteBrand(user, item),
    );
  }

  /** 1 when the item's brand is one of the user's favourites, else 0. */
  private favoriteBrand(user: number, item: number): number {
    const population = this.population;
    const brand = this.catalogue.brandOf[item];
    const slots = population.favoriteBrandSlots;
    for (let slot = user * slots; slot < (user + 1) * slots; slot++) {
      if (population.favoriteBrand[slot] === brand) return 1;
    }
    return 0;
  }
}

/** Whether the instant falls on a Saturday or Sunday in the given UTC offset. */
export function isWeekend(timeMs: number, timezoneHours: number): boolean {
  const localDay = Math.floor((timeMs + timezoneHours * 3_600_000) / dayMilliseconds);
  // 1970-01-01 was a Thursday: day 0 → Thursday, day 2 → Saturday, day 3 → Sunday.
  const weekday = (((localDay + 4) % 7) + 7) % 7;
  return weekday === 0 || weekday === 6;
}
