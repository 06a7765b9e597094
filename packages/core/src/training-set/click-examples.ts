import { DuckSession } from '../duckdb/database';
import { reconstructImpressions, ReconstructionSettings } from './impression-reconstruction';

/**
 * Examples of the click model (pCTR) and of the purchase model (pCVR) as DuckDB tables with the
 * columns the point-in-time join expects: `example_id`, `t` (epoch seconds), `user_id`,
 * `item_id`, `position`, plus `channel`, `request_id` (the feed the example was part of),
 * `label` (0/1) and `purchased` (the click led to a purchase of the item).
 */

/** Settings of example building; all durations in seconds. */
export interface ExampleSettings {
  /** A click counts for an impression of the same user and item if it follows within this. */
  clickWindowSeconds: number;
  /** A purchase of the same item by the same user within this after a click labels the click. */
  attributionWindowSeconds: number;
  /** How impressions are reconstructed when the log records none. */
  reconstruction: ReconstructionSettings;
}

/** Default example settings: 30-minute click window, 24-hour attribution window. */
export const defaultExampleSettings: ExampleSettings = {
  clickWindowSeconds: 30 * 60,
  attributionWindowSeconds: 24 * 3600,
  reconstruction: { negativesPerClick: 4, impressionsPerClick: 20, seed: 17 },
};

/** What {@link buildClickExamples} found and did. */
export interface ClickExamplesSummary {
  /** True when the log had no impressions and they were sampled. */
  reconstructed: boolean;
  examples: number;
  clicks: number;
  /** Share of negatives kept relative to the assumed true impressions (1 for logged ones). */
  negativeKeepRate: number;
}

/**
 * Builds `click_examples`: one row per logged impression labelled by a matching click (the same
 * request, or within the click window when the log has no request ids), or, when the log holds
 * no impressions at all, every click plus sampled impressions the feed would have shown.
 */
export async function buildClickExamples(
  session: DuckSession,
  settings: ExampleSettings,
): Promise<ClickExamplesSummary> {
  const [counts] = await session.jsonRows(`
    SELECT count(*) FILTER (WHERE type = 'impression')::DOUBLE AS impressions,
           count(*) FILTER (WHERE type = 'click')::DOUBLE AS clicks
    FROM event_facts`);
  const impressions = Number(counts.impressions);

  if (impressions === 0) {
    const summary = await reconstructImpressions(session, settings.reconstruction);
    await labelPurchases(session, 'click_examples', settings.attributionWindowSeconds, true);
    return { reconstructed: true, ...summary };
  }

  await session.run(`
    CREATE OR REPLACE TABLE click_examples AS
    WITH shown AS (
      SELECT t, user_id, item_id, position, channel,
        coalesce(request_id, user_id || '@' || t::VARCHAR) AS request_id,
        request_id IS NOT NULL AS has_request
      FROM event_facts WHERE type = 'impression'),
    clicks AS (SELECT DISTINCT t, user_id, item_id, request_id FROM event_facts WHERE type = 'click')
    SELECT (row_number() OVER (ORDER BY s.t, s.request_id, s.position, s.item_id) - 1)::BIGINT
             AS example_id,
      s.t, s.user_id, s.item_id, s.position, s.channel, s.request_id,
      CASE WHEN EXISTS (
        SELECT 1 FROM clicks c
        WHERE c.user_id = s.user_id AND c.item_id = s.item_id AND (
          (s.has_request AND c.request_id = s.request_id) OR
          (NOT s.has_request AND c.t >= s.t AND c.t <= s.t + ${settings.clickWindowSeconds})))
      THEN 1 ELSE 0 END AS label,
      0 AS purchased
    FROM shown s`);
  await labelPurchases(session, 'click_examples', settings.attributionWindowSeconds, true);

  const [summary] = await session.jsonRows(
    'SELECT count(*)::DOUBLE AS examples, sum(label)::DOUBLE AS clicks FROM click_examples',
  );
  return {
    reconstructed: false,
    examples: Number(summary.examples),
    clicks: Number(summary.clicks),
    negativeKeepRate: 1,
  };
}

/**
 * Builds `purchase_examples`: one row per click, labelled 1 when the same user bought the same
 * item within the attribution window after it.
 */
export async function buildPurchaseExamples(
  session: DuckSession,
  settings: ExampleSettings,
): Promise<{ examples: number; purchases: number }> {
  await session.run(`
    CREATE OR REPLACE TABLE purchase_examples AS
    SELECT (row_number() OVER (ORDER BY t, user_id, item_id) - 1)::BIGINT AS example_id,
      t, user_id, item_id, position, channel,
      coalesce(request_id, user_id || '@' || t::VARCHAR) AS request_id, 0 AS label, 0 AS purchased
    FROM event_facts WHERE type = 'click'`);
  await labelPurchases(session, 'purchase_examples', settings.attributionWindowSeconds, false);
  await session.run('UPDATE purchase_examples SET label = purchased');

  const [summary] = await session.jsonRows(
    'SELECT count(*)::DOUBLE AS examples, coalesce(sum(label), 0)::DOUBLE AS purchases FROM purchase_examples',
  );
  return { examples: Number(summary.examples), purchases: Number(summary.purchases) };
}

/**
 * Sets `purchased` on rows of `table` whose item the user bought within the window after the
 * row's time; with `clickedOnly`, only on rows labelled as clicks (a purchase needs a click).
 */
async function labelPurchases(
  session: DuckSession,
  table: string,
  windowSeconds: number,
  clickedOnly: boolean,
): Promise<void> {
  await session.run(`
    UPDATE ${table} x SET purchased = 1
    WHERE ${clickedOnly ? 'x.label = 1' : 'TRUE'} AND EXISTS (
      SELECT 1 FROM event_facts p
      WHERE p.type = 'purchase' AND p.user_id = x.user_id AND p.item_id = x.item_id
        AND p.t >= x.t AND p.t <= x.t + ${windowSeconds})`);
}
