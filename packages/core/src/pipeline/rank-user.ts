import { Ranker } from '../artifact/ranker';
import { DuckSession, sqlString } from '../duckdb/database';
import { buildAggregateStates, registerCanonicalTables } from '../features/aggregate-sql';
import { computeExampleFeatures } from '../features/point-in-time';
import { createVectorizer } from '../features/vectorize';
import { InvalidArgumentError } from '../errors';

/** Candidate channels, in the order that wins when one item comes from several. */
export const candidateChannels = ['exploit', 'popularity', 'recent', 'explore'] as const;

/** Where a candidate came from. */
export type CandidateChannel = (typeof candidateChannels)[number];

/** One ranked item of a user's feed. */
export interface RankedItem {
  item_id: string;
  channel: CandidateChannel;
  p_ctr: number;
  /** Null when the artifact has no purchase head (then the score is pCTR alone). */
  p_cvr: number | null;
  score: number;
  category: string | null;
  brand: string | null;
  price: number | null;
}

/** A user's ranked feed. */
export interface RankedFeed {
  user_id: string;
  /** ISO time the feed was ranked for: just after the last logged event. */
  ranked_at: string;
  model_version: string;
  /** True when the user has no events: the feed is not personalised. */
  cold_start: boolean;
  candidates: number;
  items: RankedItem[];
}

/** Options of {@link rankUserFeed}. */
export interface RankUserOptions {
  tablesDir: string;
  ranker: Ranker;
  userId: string;
  /** Items to return (default 10). */
  k?: number;
  /** Candidates drawn from each channel (default 50). */
  candidatesPerChannel?: number;
}

/**
 * Ranks a user's feed in-process from the canonical tables: candidates from the four channels
 * (exploit: popular items of the user's favourite categories; popularity: trending items;
 * recent: newest items; explore: a stable random draw from categories the user has not
 * clicked), without items the user already bought, features as of just after the last event,
 * scored by the artifact's heads and sorted by expected conversion. A user without events gets
 * the same channels without personal history: a cold-start feed, not an error.
 */
export async function rankUserFeed(options: RankUserOptions): Promise<RankedFeed> {
  const { tablesDir, ranker, userId, k = 10, candidatesPerChannel = 50 } = options;
  if (!(k > 0)) throw new InvalidArgumentError(`k must be a positive number, got ${k}`);
  const settings = ranker.artifact.manifest.feature_settings;
  const session = await DuckSession.open();
  try {
    await registerCanonicalTables(session, tablesDir);
    const [known] = await session.jsonRows(
      `SELECT count(*)::DOUBLE AS events, max(t) AS last FROM event_facts WHERE user_id = ${sqlString(userId)}`,
    );
    const [span] = await session.jsonRows('SELECT max(t) AS last FROM event_facts');
    const now = Number(span.last) + 1;
    await buildAggregateStates(session, settings.halfLifeSeconds);
    await session.run(candidateSql(userId, now, candidatesPerChannel));

    const { features } = await computeExampleFeatures(
      session,
      'candidates',
      createVectorizer(settings),
    );
    const rows = await session.jsonRows(`
      SELECT c.item_id, c.channel, i.category, i.brand, i.price
      FROM candidates c LEFT JOIN items i USING (item_id) ORDER BY c.example_id`);
    const width = features.columns;
    const items = rows.map((row, index) => {
      const score = ranker.scoreRow(features.values.subarray(index * width, (index + 1) * width));
      return {
        item_id: String(row.item_id),
        channel: row.channel as CandidateChannel,
        p_ctr: score.pCtr,
        p_cvr: ranker.artifact.cvr ? score.pCvr : null,
        score: score.score,
        category: (row.category as string | null) ?? null,
        brand: (row.brand as string | null) ?? null,
        price: row.price === null ? null : Number(row.price),
      };
    });
    items.sort((a, b) => b.score - a.score || a.item_id.localeCompare(b.item_id));
    return {
      user_id: userId,
      ranked_at: new Date(now * 1000).toISOString(),
      model_version: ranker.modelVersion,
      cold_start: Number(known.events) === 0,
      candidates: items.length,
      items: items.slice(0, k),
    };
  } finally {
    session.close();
  }
}

function candidateSql(userId: string, now: number, perChannel: number): string {
  const user = sqlString(userId);
  return `
    CREATE OR REPLACE TABLE candidates AS
    WITH popularity AS (
      SELECT item_id, count(*) FILTER (WHERE type = 'click') AS clicks, min(t) AS first_seen
      FROM event_facts GROUP BY item_id),
    favourite_categories AS (
      SELECT category FROM event_facts WHERE user_id = ${user} AND type = 'click'
        AND category IS NOT NULL
      GROUP BY category ORDER BY count(*) DESC, category LIMIT 3),
    clicked_categories AS (
      SELECT DISTINCT category FROM event_facts WHERE user_id = ${user} AND type = 'click'),
    bought AS (SELECT DISTINCT item_id FROM event_facts WHERE user_id = ${user} AND type = 'purchase'),
    eligible AS (
      SELECT p.*, i.category, coalesce(epoch_ms(i.created_at) / 1000.0, p.first_seen) AS created
      FROM popularity p LEFT JOIN items i USING (item_id)
      WHERE p.item_id NOT IN (SELECT item_id FROM bought)),
    channelled AS (
      (SELECT item_id, 'exploit' AS channel, 0 AS channel_rank FROM eligible
       WHERE category IN (SELECT category FROM favourite_categories)
       ORDER BY clicks DESC, item_id LIMIT ${perChannel})
      UNION ALL
      (SELECT item_id, 'popularity', 1 FROM eligible ORDER BY clicks DESC, item_id LIMIT ${perChannel})
      UNION ALL
      (SELECT item_id, 'recent', 2 FROM eligible ORDER BY created DESC, item_id LIMIT ${perChannel})
      UNION ALL
      (SELECT item_id, 'explore', 3 FROM eligible
       WHERE category IS NULL OR category NOT IN (SELECT category FROM clicked_categories WHERE category IS NOT NULL)
       ORDER BY hash(item_id || ${user}), item_id LIMIT ${perChannel})),
    deduplicated AS (
      SELECT item_id, channel FROM channelled
      QUALIFY row_number() OVER (PARTITION BY item_id ORDER BY channel_rank) = 1)
    SELECT (row_number() OVER (ORDER BY item_id) - 1)::BIGINT AS example_id, ${now}::DOUBLE AS t,
      ${user} AS user_id, item_id, 1 AS position, channel
    FROM deduplicated`;
}
