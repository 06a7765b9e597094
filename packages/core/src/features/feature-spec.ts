import { InvalidArgumentError } from '../errors';

/** Whether a feature is a number or the code of a category in a vocabulary. */
export type FeatureKind = 'numeric' | 'categorical';

/** One model input, declared once for training and serving. */
export interface FeatureDefinition {
  name: string;
  kind: FeatureKind;
  description: string;
}

/**
 * The model inputs, in the order of the model's feature vector. Changing the order or a meaning
 * makes a new feature set: bump {@link featureSetVersion}.
 */
export const featureDefinitions: readonly FeatureDefinition[] = [
  {
    name: 'position',
    kind: 'numeric',
    description:
      '1-based slot the item was shown in; serving scores every candidate at position 1; missing when the log has no positions',
  },
  { name: 'user_clicks', kind: 'numeric', description: 'clicks by the user before now' },
  { name: 'user_clicks_decayed', kind: 'numeric', description: 'clicks by the user, time-decayed' },
  { name: 'user_purchases', kind: 'numeric', description: 'purchases by the user before now' },
  {
    name: 'user_purchase_rate',
    kind: 'numeric',
    description:
      "user's purchases per click, smoothed towards the marketplace rate (propensity to buy)",
  },
  {
    name: 'user_hours_since_last_click',
    kind: 'numeric',
    description: 'hours since the user last clicked; missing for users who never clicked',
  },
  {
    name: 'user_category_clicks',
    kind: 'numeric',
    description: "user's clicks in the candidate's category",
  },
  {
    name: 'user_category_clicks_decayed',
    kind: 'numeric',
    description: "user's clicks in the candidate's category, time-decayed",
  },
  {
    name: 'user_category_click_share',
    kind: 'numeric',
    description: "share of the user's decayed clicks that went to the candidate's category",
  },
  {
    name: 'user_category_purchases',
    kind: 'numeric',
    description: "user's purchases in the candidate's category",
  },
  {
    name: 'user_brand_clicks',
    kind: 'numeric',
    description: "user's clicks on the candidate's brand",
  },
  {
    name: 'user_brand_clicks_decayed',
    kind: 'numeric',
    description: "user's clicks on the candidate's brand, time-decayed",
  },
  {
    name: 'user_brand_click_share',
    kind: 'numeric',
    description: "share of the user's decayed clicks that went to the candidate's brand",
  },
  {
    name: 'user_item_clicks',
    kind: 'numeric',
    description: "user's earlier clicks on this very item",
  },
  {
    name: 'user_item_purchases',
    kind: 'numeric',
    description: "user's earlier purchases of this very item",
  },
  { name: 'log_price', kind: 'numeric', description: 'ln(1 + price) of the candidate' },
  {
    name: 'price_vs_user',
    kind: 'numeric',
    description: "ln(price) minus the mean ln(price) of the user's clicked items",
  },
  {
    name: 'price_z_user',
    kind: 'numeric',
    description: "price_vs_user divided by the spread of the user's clicked ln(price)",
  },
  { name: 'rating', kind: 'numeric', description: "candidate's rating" },
  {
    name: 'rating_vs_user',
    kind: 'numeric',
    description: "candidate's rating minus the mean rating of the user's clicked items",
  },
  { name: 'discount', kind: 'numeric', description: "candidate's discount share" },
  {
    name: 'discount_vs_user',
    kind: 'numeric',
    description: "candidate's discount minus the mean discount of the user's clicked items",
  },
  { name: 'item_clicks', kind: 'numeric', description: 'clicks on the item before now' },
  { name: 'item_popularity', kind: 'numeric', description: 'clicks on the item, time-decayed' },
  {
    name: 'item_impressions',
    kind: 'numeric',
    description: 'logged impressions of the item before now',
  },
  {
    name: 'item_ctr',
    kind: 'numeric',
    description:
      'item clicks per logged impression, Bayesian-smoothed towards the marketplace CTR; missing when the log has no impressions',
  },
  {
    name: 'item_purchase_rate',
    kind: 'numeric',
    description:
      'item purchases per click, Bayesian-smoothed towards the marketplace rate (propensity to buy)',
  },
  {
    name: 'item_age_days',
    kind: 'numeric',
    description: 'days since the item was created (or first seen)',
  },
  {
    name: 'user_geo',
    kind: 'categorical',
    description: "code of the user's geography in the vocabulary",
  },
  {
    name: 'user_acquisition_channel',
    kind: 'categorical',
    description: "code of the user's acquisition channel in the vocabulary",
  },
];

/** Version of {@link featureDefinitions}; artifacts record it and servers check it. */
export const featureSetVersion = 1;

/** Settings of the feature computation that the model depends on; stored in the manifest. */
export interface FeatureSettings {
  /** Half-life of decayed counts, seconds. */
  halfLifeSeconds: number;
  /** Prior strength of smoothed item CTR, in impressions (default 50). */
  ctrPriorImpressions: number;
  /** Prior strength of smoothed purchase rates, in clicks (default 20). */
  purchasePriorClicks: number;
  /** Codes of categorical features: the value at index i has code i; others are missing. */
  vocabularies: { user_geo: string[]; user_acquisition_channel: string[] };
}

/** Names of the model inputs in vector order. */
export const featureNames: readonly string[] = featureDefinitions.map((f) => f.name);

/** Index of a feature in the vector; throws on an unknown name. */
export function featureIndex(name: string): number {
  const index = featureNames.indexOf(name);
  if (index < 0) throw new InvalidArgumentError(`unknown feature "${name}"`);
  return index;
}

/**
 * The default half-life for a log spanning `spanSeconds`: a fifth of the span, kept between one
 * hour and seven days, so that "recent" means something both for a 3-hour and a 3-month log.
 */
export function defaultHalfLifeSeconds(spanSeconds: number): number {
  const hour = 3600;
  return Math.min(7 * 24 * hour, Math.max(hour, spanSeconds / 5));
}
