import * as fs from 'node:fs';
import * as path from 'node:path';

import { canonicalFileName } from '../canonical/schema';
import { DuckSession, sqlPath } from '../duckdb/database';
import { InputNotFoundError, InvalidArgumentError } from '../errors';

/**
 * Offline aggregates in DuckDB SQL. Each `state_*` table holds, for one entity and one moment
 * at which that entity had events, the running totals including that moment's events. Joining
 * an example at time t to the latest state strictly before t (an ASOF join on `t > state.t`)
 * gives exactly the history the example may see: nothing at t or after it.
 */

/** Names of the state tables built by {@link buildAggregateStates}. */
export const stateTables = [
  'state_user',
  'state_item',
  'state_user_category',
  'state_user_brand',
  'state_user_item',
  'state_global',
] as const;

/**
 * Registers the canonical Parquet tables of `tablesDir` as views `events`, `items`, `users`
 * and `event_facts` (events with epoch-second time `t` and the item's attributes).
 */
export async function registerCanonicalTables(
  session: DuckSession,
  tablesDir: string,
): Promise<void> {
  for (const table of ['events', 'items', 'users'] as const) {
    const file = path.join(tablesDir, canonicalFileName(table));
    if (!fs.existsSync(file)) {
      throw new InputNotFoundError(
        file,
        `${tablesDir} is not a folder of gfr tables (no ${canonicalFileName(table)}): ` +
          'create one with `gfr ingest` or `gfr simulate`',
      );
    }
    await session.run(
      `CREATE OR REPLACE VIEW ${table} AS SELECT * FROM read_parquet(${sqlPath(file)})`,
    );
  }
  await session.run(`
    CREATE OR REPLACE VIEW event_facts AS
    SELECT epoch_ms(e.ts) / 1000.0 AS t, e.user_id, e.item_id, e.type, e.position, e.channel,
           e.request_id, i.category, i.brand, i.price, i.rating, i.discount
    FROM events e LEFT JOIN items i USING (item_id)`);
}

/**
 * Builds the `state_*` tables from `event_facts`. Decayed click counts use `halfLifeSeconds`:
 * they are running sums of 2^((t_event − t0)/h), scaled back by 2^(−(t − t0)/h), which is exact
 * while the log spans under a thousand half-lives (checked).
 */
export async function buildAggregateStates(
  session: DuckSession,
  halfLifeSeconds: number,
): Promise<void> {
  const [span] = await session.jsonRows('SELECT min(t) AS t0, max(t) AS t1 FROM event_facts');
  const t0 = Number(span.t0 ?? 0);
  const t1 = Number(span.t1 ?? 0);
  if (!(halfLifeSeconds > 0) || (t1 - t0) / halfLifeSeconds > 1000) {
    throw new InvalidArgumentError(
      `half-life ${halfLifeSeconds} s is invalid for a log spanning ${t1 - t0} s ` +
        '(it must be positive and at least a thousandth of the span)',
    );
  }
  const weight = `pow(2, (t - ${t0}) / ${halfLifeSeconds})`;
  const unweight = `pow(2, -(t - ${t0}) / ${halfLifeSeconds})`;
  const running = (column: string) => `sum(${column}) OVER running`;
  const isClick = "type = 'click'";
  const isPurchase = "type = 'purchase'";
  // DuckDB evaluates an aggregate's argument before its FILTER, so ln() must never see 0.
  const positivePrice = 'CASE WHEN price > 0 THEN price END';
  const window = `WINDOW running AS (PARTITION BY key ORDER BY t ROWS UNBOUNDED PRECEDING)`;

  await session.run(`
    CREATE OR REPLACE TABLE state_user AS
    WITH moments AS (
      SELECT user_id AS key, t,
        count(*) FILTER (WHERE type = 'impression')::DOUBLE AS impressions,
        count(*) FILTER (WHERE ${isClick})::DOUBLE AS clicks,
        coalesce(sum(${weight}) FILTER (WHERE ${isClick}), 0) AS click_weight,
        count(*) FILTER (WHERE ${isPurchase})::DOUBLE AS purchases,
        coalesce(sum(ln(${positivePrice})) FILTER (WHERE ${isClick}), 0) AS log_price_sum,
        coalesce(sum(ln(${positivePrice}) ^ 2) FILTER (WHERE ${isClick}), 0) AS log_price_square_sum,
        count(*) FILTER (WHERE ${isClick} AND price > 0)::DOUBLE AS price_count,
        coalesce(sum(rating) FILTER (WHERE ${isClick}), 0) AS rating_sum,
        count(rating) FILTER (WHERE ${isClick})::DOUBLE AS rating_count,
        coalesce(sum(discount) FILTER (WHERE ${isClick}), 0) AS discount_sum,
        count(discount) FILTER (WHERE ${isClick})::DOUBLE AS discount_count
      FROM event_facts GROUP BY user_id, t)
    SELECT key AS user_id, t,
      ${running('impressions')} AS impressions, ${running('clicks')} AS clicks,
      ${running('click_weight')} * ${unweight} AS clicks_decayed,
      max(CASE WHEN clicks > 0 THEN t END) OVER running AS last_click_at,
      ${running('purchases')} AS purchases,
      ${running('log_price_sum')} AS log_price_sum,
      ${running('log_price_square_sum')} AS log_price_square_sum,
      ${running('price_count')} AS price_count,
      ${running('rating_sum')} AS rating_sum, ${running('rating_count')} AS rating_count,
      ${running('discount_sum')} AS discount_sum, ${running('discount_count')} AS discount_count
    FROM moments ${window}`);

  await session.run(`
    CREATE OR REPLACE TABLE state_item AS
    WITH moments AS (
      SELECT item_id AS key, t,
        count(*) FILTER (WHERE type = 'impression')::DOUBLE AS impressions,
        count(*) FILTER (WHERE ${isClick})::DOUBLE AS clicks,
        coalesce(sum(${weight}) FILTER (WHERE ${isClick}), 0) AS click_weight,
        count(*) FILTER (WHERE ${isPurchase})::DOUBLE AS purchases
      FROM event_facts GROUP BY item_id, t)
    SELECT key AS item_id, t,
      ${running('impressions')} AS impressions, ${running('clicks')} AS clicks,
      ${running('click_weight')} * ${unweight} AS clicks_decayed,
      ${running('purchases')} AS purchases,
      min(t) OVER running AS first_seen_at
    FROM moments ${window}`);

  for (const [table, column] of [
    ['state_user_category', 'category'],
    ['state_user_brand', 'brand'],
    ['state_user_item', 'item_id'],
  ] as const) {
    await session.run(`
      CREATE OR REPLACE TABLE ${table} AS
      WITH moments AS (
        SELECT user_id, ${column} AS attribute, t,
          count(*) FILTER (WHERE ${isClick})::DOUBLE AS clicks,
          coalesce(sum(${weight}) FILTER (WHERE ${isClick}), 0) AS click_weight,
          count(*) FILTER (WHERE ${isPurchase})::DOUBLE AS purchases
        FROM event_facts
        WHERE (${isClick} OR ${isPurchase}) AND ${column} IS NOT NULL
        GROUP BY user_id, ${column}, t)
      SELECT user_id, attribute AS ${column}, t,
        sum(clicks) OVER pair AS clicks,
        sum(click_weight) OVER pair * ${unweight} AS clicks_decayed,
        sum(purchases) OVER pair AS purchases
      FROM moments
      WINDOW pair AS (PARTITION BY user_id, attribute ORDER BY t ROWS UNBOUNDED PRECEDING)`);
  }

  await session.run(`
    CREATE OR REPLACE TABLE state_global AS
    WITH moments AS (
      SELECT t,
        count(*) FILTER (WHERE type = 'impression')::DOUBLE AS impressions,
        count(*) FILTER (WHERE ${isClick})::DOUBLE AS clicks,
        count(*) FILTER (WHERE ${isPurchase})::DOUBLE AS purchases
      FROM event_facts GROUP BY t)
    SELECT t, sum(impressions) OVER everything AS impressions,
      sum(clicks) OVER everything AS clicks, sum(purchases) OVER everything AS purchases
    FROM moments WINDOW everything AS (ORDER BY t ROWS UNBOUNDED PRECEDING)`);
}
