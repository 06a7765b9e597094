import { ColumnVector, DuckSession } from '../duckdb/database';
import { FeatureInput, Vectorizer } from './vectorize';
import { featureNames } from './feature-spec';

/** Model inputs of many examples: row-major float32 values, NaN where missing. */
export interface ExampleFeatures {
  values: Float32Array;
  rows: number;
  columns: number;
  featureNames: string[];
}

/**
 * The SQL that joins every row of `examplesTable` (columns `example_id`, `t` in epoch seconds,
 * `user_id`, `item_id`, `position`) to the item's and user's attributes and to the latest
 * aggregate states strictly before `t`. Rows come out in no particular order: callers place
 * them by `example_id`, which saves DuckDB sorting a wide result.
 */
export function pointInTimeQuery(examplesTable: string): string {
  return `
    SELECT x.example_id, x.t, x.position::DOUBLE AS position,
      i.category, i.brand, i.price, i.rating, i.discount,
      epoch_ms(i.created_at) / 1000.0 AS created_at, u.geo, u.acquisition_channel,
      su.t AS user_t, su.impressions AS user_impressions, su.clicks AS user_clicks,
      su.clicks_decayed AS user_clicks_decayed, su.last_click_at AS user_last_click_at,
      su.purchases AS user_purchases, su.log_price_sum, su.log_price_square_sum, su.price_count,
      su.rating_sum, su.rating_count, su.discount_sum, su.discount_count,
      si.t AS item_t, si.impressions AS item_impressions, si.clicks AS item_clicks,
      si.clicks_decayed AS item_clicks_decayed, si.purchases AS item_purchases, si.first_seen_at,
      sc.t AS category_t, sc.clicks AS category_clicks, sc.clicks_decayed AS category_clicks_decayed,
      sc.purchases AS category_purchases,
      sb.t AS brand_t, sb.clicks AS brand_clicks, sb.clicks_decayed AS brand_clicks_decayed,
      sb.purchases AS brand_purchases,
      sp.t AS pair_t, sp.clicks AS pair_clicks, sp.clicks_decayed AS pair_clicks_decayed,
      sp.purchases AS pair_purchases,
      g.impressions AS global_impressions, g.clicks AS global_clicks, g.purchases AS global_purchases
    FROM ${examplesTable} x
    LEFT JOIN items i ON i.item_id = x.item_id
    LEFT JOIN users u ON u.user_id = x.user_id
    ASOF LEFT JOIN state_user su ON su.user_id = x.user_id AND x.t > su.t
    ASOF LEFT JOIN state_item si ON si.item_id = x.item_id AND x.t > si.t
    ASOF LEFT JOIN state_user_category sc
      ON sc.user_id = x.user_id AND sc.category = i.category AND x.t > sc.t
    ASOF LEFT JOIN state_user_brand sb
      ON sb.user_id = x.user_id AND sb.brand = i.brand AND x.t > sb.t
    ASOF LEFT JOIN state_user_item sp ON sp.user_id = x.user_id AND sp.item_id = x.item_id AND x.t > sp.t
    ASOF LEFT JOIN state_global g ON x.t > g.t`;
}

/**
 * Computes the features of every example in `examplesTable`, point-in-time, through the shared
 * {@link Vectorizer}. Example ids must be 0 … n−1; row i of the matrix is example i.
 */
export async function computeExampleFeatures(
  session: DuckSession,
  examplesTable: string,
  vectorize: Vectorizer,
): Promise<{ features: ExampleFeatures }> {
  const [count] = await session.jsonRows(`SELECT count(*)::DOUBLE AS rows FROM ${examplesTable}`);
  const rows = Number(count.rows);
  const width = featureNames.length;
  const values = new Float32Array(rows * width);

  const input = emptyFeatureInput();
  await session.forEachChunk(pointInTimeQuery(examplesTable), (columns, chunkRows) => {
    for (let index = 0; index < chunkRows; index++) {
      const row = Number(columns.example_id.getItem(index));
      if (!(row >= 0 && row < rows)) {
        throw new RangeError(`${examplesTable}: example_id ${row} is outside 0..${rows - 1}`);
      }
      fillFeatureInput(input, columns, index);
      vectorize(input, values, row * width);
    }
  });

  return { features: { values, rows, columns: width, featureNames: [...featureNames] } };
}

/** A reusable {@link FeatureInput} with every aggregate at zero. */
export function emptyFeatureInput(): FeatureInput {
  const counter = () => ({ count: 0, decayed: 0, updatedAt: 0 });
  return {
    time: 0,
    position: null,
    user: {
      impressions: 0,
      clicks: counter(),
      lastClickAt: NaN,
      purchases: 0,
      clickedLogPriceSum: 0,
      clickedLogPriceSquareSum: 0,
      clickedPriceCount: 0,
      clickedRatingSum: 0,
      clickedRatingCount: 0,
      clickedDiscountSum: 0,
      clickedDiscountCount: 0,
    },
    item: { impressions: 0, clicks: counter(), purchases: 0, firstSeenAt: NaN },
    userCategory: { clicks: counter(), purchases: 0 },
    userBrand: { clicks: counter(), purchases: 0 },
    userItem: { clicks: counter(), purchases: 0 },
    global: { impressions: 0, clicks: 0, purchases: 0 },
    candidate: {
      category: null,
      brand: null,
      price: null,
      rating: null,
      discount: null,
      createdAt: null,
    },
    profile: { geo: null, acquisitionChannel: null },
  };
}

function fillFeatureInput(
  input: FeatureInput,
  columns: Record<string, ColumnVector>,
  row: number,
): void {
  const number = (name: string, missing = 0): number => {
    const value = columns[name].getItem(row);
    return value === null ? missing : Number(value);
  };
  const optionalNumber = (name: string): number | null => {
    const value = columns[name].getItem(row);
    return value === null ? null : Number(value);
  };
  const text = (name: string): string | null => {
    const value = columns[name].getItem(row);
    return value === null ? null : String(value);
  };

  input.time = number('t');
  input.position = optionalNumber('position');

  const user = input.user;
  user.impressions = number('user_impressions');
  user.clicks.count = number('user_clicks');
  user.clicks.decayed = number('user_clicks_decayed');
  user.clicks.updatedAt = number('user_t');
  user.lastClickAt = number('user_last_click_at', NaN);
  user.purchases = number('user_purchases');
  user.clickedLogPriceSum = number('log_price_sum');
  user.clickedLogPriceSquareSum = number('log_price_square_sum');
  user.clickedPriceCount = number('price_count');
  user.clickedRatingSum = number('rating_sum');
  user.clickedRatingCount = number('rating_count');
  user.clickedDiscountSum = number('discount_sum');
  user.clickedDiscountCount = number('discount_count');

  const item = input.item;
  item.impressions = number('item_impressions');
  item.clicks.count = number('item_clicks');
  item.clicks.decayed = number('item_clicks_decayed');
  item.clicks.updatedAt = number('item_t');
  item.purchases = number('item_purchases');
  item.firstSeenAt = number('first_seen_at', NaN);

  for (const [pair, prefix] of [
    [input.userCategory, 'category'],
    [input.userBrand, 'brand'],
    [input.userItem, 'pair'],
  ] as const) {
    pair.clicks.count = number(`${prefix}_clicks`);
    pair.clicks.decayed = number(`${prefix}_clicks_decayed`);
    pair.clicks.updatedAt = number(`${prefix}_t`);
    pair.purchases = number(`${prefix}_purchases`);
  }

  input.global.impressions = number('global_impressions');
  input.global.clicks = number('global_clicks');
  input.global.purchases = number('global_purchases');

  const candidate = input.candidate;
  candidate.category = text('category');
  candidate.brand = text('brand');
  candidate.price = optionalNumber('price');
  candidate.rating = optionalNumber('rating');
  candidate.discount = optionalNumber('discount');
  candidate.createdAt = optionalNumber('created_at');
  input.profile.geo = text('geo');
  input.profile.acquisitionChannel = text('acquisition_channel');
}
