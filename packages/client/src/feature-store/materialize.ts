import * as fs from 'node:fs';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import {
  DuckSession,
  FeatureSettings,
  InputNotFoundError,
  OutputNotReplaceableError,
  InvalidArgumentError,
  Logger,
  buildAggregateStates,
  canonicalFileName,
  produceAtomically,
  registerCanonicalTables,
  silentLogger,
} from '@gfr/core';

import { MaterializationError } from './errors';
import {
  createIndexesSql,
  createTablesSql,
  pairTables,
  storeFormat,
  storeFormatVersion,
  userAggregateColumns,
} from './sqlite-layout';

/** How long each materialized candidate list is. */
export interface ChannelSizes {
  /** Items of the popularity list (default 200). */
  popularity: number;
  /** Items of the recent list (default 200). */
  recent: number;
  /** Items of each user's exploit list (default 100; 0 skips the channel). */
  exploitPerUser: number;
  /** Strongest categories and, separately, strongest brands exploit draws from (default 3). */
  exploitFavourites: number;
  /** Most popular items per category or brand that exploit considers (default 100). */
  exploitPoolPerAttribute: number;
  /** Items of each category's top list, which explore draws from (default 50). */
  categoryTop: number;
}

/** Default {@link ChannelSizes}. */
export const defaultChannelSizes: Readonly<ChannelSizes> = Object.freeze({
  popularity: 200,
  recent: 200,
  exploitPerUser: 100,
  exploitFavourites: 3,
  exploitPoolPerAttribute: 100,
  categoryTop: 50,
});

/** Options of {@link materializeFeatureStore}. */
export interface MaterializeOptions {
  /** Folder of canonical tables (events, items, users Parquet), as `gfr ingest` writes it. */
  tablesDir: string;
  /** The SQLite file to write; replaced atomically. */
  outFile: string;
  /** The model's feature settings (`manifest.feature_settings`); only the half-life is used. */
  featureSettings: Pick<FeatureSettings, 'halfLifeSeconds'> & Partial<FeatureSettings>;
  /** Version of the model whose settings were used, recorded in the store's metadata. */
  modelVersion?: string;
  channelSizes?: Partial<ChannelSizes>;
  /** DuckDB threads (default: DuckDB's choice). */
  threads?: number;
  logger?: Logger;
}

/** What {@link materializeFeatureStore} wrote. */
export interface MaterializeReport {
  file: string;
  format_version: number;
  /** Epoch seconds of the last event: the moment every aggregate is the latest state of. */
  as_of: number | null;
  half_life_seconds: number;
  model_version: string | null;
  channel_sizes: ChannelSizes;
  /** Rows per table of the store. */
  rows: Record<string, number>;
  bytes: number;
  seconds: number;
}

/**
 * Materializes the online feature store from canonical tables: the LATEST aggregate state of
 * every user, item, user×category, user×brand and user×item and the global totals as of the
 * end of the log (the last row per key of core's `state_*` tables, so the values are exactly
 * what offline point-in-time joins see just after the last event), the items' attributes, the
 * users' profiles and the candidate lists. The file appears complete or not at all.
 */
export async function materializeFeatureStore(
  options: MaterializeOptions,
): Promise<MaterializeReport> {
  const started = Date.now();
  const logger = options.logger ?? silentLogger;
  const halfLife = options.featureSettings.halfLifeSeconds;
  const sizes = resolveChannelSizes(options.channelSizes);
  if (!(Number.isFinite(halfLife) && halfLife > 0)) {
    throw new InvalidArgumentError(
      `half-life must be a positive number of seconds, got ${halfLife}`,
    );
  }
  for (const table of ['events', 'items', 'users'] as const) {
    const file = path.join(options.tablesDir, canonicalFileName(table));
    if (!fs.existsSync(file)) throw new InputNotFoundError(file);
  }
  assertStoreReplaceable(options.outFile);

  const session = await DuckSession.open({ threads: options.threads });
  try {
    await registerCanonicalTables(session, options.tablesDir);
    const [span] = await session.jsonRows('SELECT max(t) AS last FROM event_facts');
    const asOf = span.last === null ? null : Number(span.last);
    await buildAggregateStates(session, halfLife);
    const statesBuilt = Date.now();
    await buildLatestTables(session, asOf ?? 0, halfLife, sizes);
    logger.info('latest aggregate states and candidate lists built', {
      asOf,
      halfLifeSeconds: halfLife,
      statesMs: statesBuilt - started,
      latestMs: Date.now() - statesBuilt,
    });

    const rows = await produceAtomically(options.outFile, async (temporary) => {
      const database = new Database(temporary);
      try {
        return await writeStore(database, session, logger, {
          as_of: asOf === null ? '' : String(asOf),
          half_life_seconds: String(halfLife),
          model_version: options.modelVersion ?? '',
          feature_settings: JSON.stringify(options.featureSettings),
          channel_sizes: JSON.stringify(sizes),
          tables: path.resolve(options.tablesDir),
          created_at: new Date().toISOString(),
        });
      } finally {
        database.close();
      }
    });
    const report: MaterializeReport = {
      file: path.resolve(options.outFile),
      format_version: storeFormatVersion,
      as_of: asOf,
      half_life_seconds: halfLife,
      model_version: options.modelVersion ?? null,
      channel_sizes: sizes,
      rows,
      bytes: fs.statSync(options.outFile).size,
      seconds: (Date.now() - started) / 1000,
    };
    logger.info('online feature store written', { ...report });
    return report;
  } catch (error) {
    if (error instanceof InvalidArgumentError || error instanceof InputNotFoundError) throw error;
    throw new MaterializationError(
      `cannot materialize ${options.tablesDir} into ${options.outFile}: ${String(error)}`,
      { cause: error },
    );
  } finally {
    session.close();
  }
}

function resolveChannelSizes(input: Partial<ChannelSizes> = {}): ChannelSizes {
  const sizes = { ...defaultChannelSizes, ...input };
  for (const [name, value] of Object.entries(sizes)) {
    if (!Number.isInteger(value) || value < 0) {
      throw new InvalidArgumentError(
        `channel size ${name} must be a whole number ≥ 0, got ${value}`,
      );
    }
  }
  return sizes;
}

/**
 * The latest state per key, values brought into the store's columns, and the candidate lists,
 * as DuckDB tables named `store_*`.
 */
async function buildLatestTables(
  session: DuckSession,
  asOf: number,
  halfLife: number,
  sizes: ChannelSizes,
): Promise<void> {
  const latest = (table: string, key: string) =>
    `(SELECT * FROM ${table} QUALIFY row_number() OVER (PARTITION BY ${key} ORDER BY t DESC) = 1)`;
  const decayedNow = (alias: string) =>
    `coalesce(${alias}.clicks_decayed * pow(2, -(${asOf} - ${alias}.t) / ${halfLife}), 0)`;

  await session.run(`
    CREATE TABLE store_users AS
    SELECT coalesce(p.user_id, s.user_id) AS user_id, p.geo, p.acquisition_channel,
      coalesce(s.impressions, 0) AS impressions, coalesce(s.clicks, 0) AS clicks,
      coalesce(s.clicks_decayed, 0) AS clicks_decayed, coalesce(s.t, 0) AS updated_at,
      s.last_click_at, coalesce(s.purchases, 0) AS purchases,
      coalesce(s.log_price_sum, 0) AS clicked_log_price_sum,
      coalesce(s.log_price_square_sum, 0) AS clicked_log_price_square_sum,
      coalesce(s.price_count, 0) AS clicked_price_count,
      coalesce(s.rating_sum, 0) AS clicked_rating_sum,
      coalesce(s.rating_count, 0) AS clicked_rating_count,
      coalesce(s.discount_sum, 0) AS clicked_discount_sum,
      coalesce(s.discount_count, 0) AS clicked_discount_count
    FROM users p FULL OUTER JOIN ${latest('state_user', 'user_id')} s ON s.user_id = p.user_id`);

  await session.run(`
    CREATE TABLE store_items AS
    SELECT coalesce(c.item_id, s.item_id) AS item_id, c.category, c.brand, c.price, c.rating,
      c.discount, epoch_ms(c.created_at) / 1000.0 AS created_at,
      coalesce(s.impressions, 0) AS impressions, coalesce(s.clicks, 0) AS clicks,
      coalesce(s.clicks_decayed, 0) AS clicks_decayed, coalesce(s.t, 0) AS updated_at,
      coalesce(s.purchases, 0) AS purchases, s.first_seen_at,
      ${decayedNow('s')} AS popularity,
      coalesce(epoch_ms(c.created_at) / 1000.0, s.first_seen_at) AS born
    FROM items c FULL OUTER JOIN ${latest('state_item', 'item_id')} s ON s.item_id = c.item_id`);

  for (const { table, column, stateTable } of pairTables) {
    await session.run(`
      CREATE TABLE store_${table} AS
      SELECT user_id, ${column}, clicks, clicks_decayed, t AS updated_at, purchases,
        ${decayedNow('s')} AS strength
      FROM ${latest(stateTable, `user_id, ${column}`)} s`);
  }

  await session.run(`
    CREATE TABLE store_global AS
    SELECT impressions, clicks, purchases, t AS updated_at FROM state_global ORDER BY t DESC LIMIT 1`);

  const topOf = (partition: string) =>
    `row_number() OVER (PARTITION BY ${partition} ORDER BY popularity DESC, born DESC NULLS LAST, item_id)`;
  await session.run(`
    CREATE TABLE store_popular_items AS
    SELECT row_number() OVER (ORDER BY popularity DESC, item_id)::INTEGER AS rank, item_id
    FROM store_items WHERE clicks > 0 QUALIFY rank <= ${sizes.popularity}`);
  await session.run(`
    CREATE TABLE store_recent_items AS
    SELECT row_number() OVER (ORDER BY born DESC, item_id)::INTEGER AS rank, item_id
    FROM store_items WHERE born IS NOT NULL QUALIFY rank <= ${sizes.recent}`);
  await session.run(`
    CREATE TABLE store_category_top_items AS
    SELECT category, ${topOf('category')}::INTEGER AS rank, item_id
    FROM store_items WHERE category IS NOT NULL QUALIFY rank <= ${sizes.categoryTop}`);

  // Exploit: the user's strongest categories and brands (decayed clicks at the end of the log,
  // then purchases), and in them the most popular items, scored by affinity × popularity.
  await session.run(`
    CREATE TABLE store_exploit_items AS
    WITH favourites AS (
      SELECT user_id, kind, value, strength FROM (
        SELECT user_id, 'category' AS kind, category AS value, strength, purchases
        FROM store_user_categories
        UNION ALL
        SELECT user_id, 'brand', brand, strength, purchases FROM store_user_brands)
      QUALIFY row_number() OVER (PARTITION BY user_id, kind ORDER BY strength DESC,
        purchases DESC, value) <= ${sizes.exploitFavourites}),
    pool AS (
      SELECT 'category' AS kind, category AS value, item_id, popularity FROM store_items
      WHERE category IS NOT NULL QUALIFY ${topOf('category')} <= ${sizes.exploitPoolPerAttribute}
      UNION ALL
      SELECT 'brand', brand, item_id, popularity FROM store_items
      WHERE brand IS NOT NULL QUALIFY ${topOf('brand')} <= ${sizes.exploitPoolPerAttribute}),
    scored AS (
      SELECT f.user_id, p.item_id, sum(f.strength) AS affinity, any_value(p.popularity) AS popularity
      FROM favourites f JOIN pool p ON p.kind = f.kind AND p.value = f.value
      GROUP BY f.user_id, p.item_id),
    eligible AS (
      SELECT * FROM scored s WHERE NOT EXISTS (
        SELECT 1 FROM store_user_items b
        WHERE b.user_id = s.user_id AND b.item_id = s.item_id AND b.purchases > 0))
    SELECT user_id, row_number() OVER (PARTITION BY user_id
        ORDER BY affinity * popularity DESC, affinity DESC, item_id)::INTEGER AS rank, item_id
    FROM eligible QUALIFY rank <= ${sizes.exploitPerUser}`);
}

/** Copies the `store_*` tables into the SQLite file and returns rows per table. */
async function writeStore(
  database: Database.Database,
  session: DuckSession,
  logger: Logger,
  meta: Record<string, string>,
): Promise<Record<string, number>> {
  // The file is private until renamed into place: no journal, no syncs while loading.
  database.pragma('journal_mode = OFF');
  database.pragma('synchronous = OFF');
  database.exec(createTablesSql);
  database.exec('BEGIN');

  const insertMeta = database.prepare('INSERT INTO meta (key, value) VALUES (?, ?)');
  for (const [key, value] of Object.entries({
    format: storeFormat,
    format_version: String(storeFormatVersion),
    ...meta,
  })) {
    insertMeta.run(key, value);
  }

  const copies: [string, string[]][] = [
    ['users', ['user_id', 'geo', 'acquisition_channel', ...userAggregateColumns]],
    [
      'items',
      [
        'item_id',
        'category',
        'brand',
        'price',
        'rating',
        'discount',
        'created_at',
        'impressions',
        'clicks',
        'clicks_decayed',
        'updated_at',
        'purchases',
        'first_seen_at',
      ],
    ],
    ...pairTables.map(({ table, column }): [string, string[]] => [
      table,
      ['user_id', column, 'clicks', 'clicks_decayed', 'updated_at', 'purchases'],
    ]),
    ['global_totals', ['impressions', 'clicks', 'purchases', 'updated_at']],
    ['exploit_items', ['user_id', 'rank', 'item_id']],
    ['popular_items', ['rank', 'item_id']],
    ['recent_items', ['rank', 'item_id']],
    ['category_top_items', ['category', 'rank', 'item_id']],
  ];
  const rows: Record<string, number> = {};
  for (const [table, columns] of copies) {
    const source = table === 'global_totals' ? 'store_global' : `store_${table}`;
    const copyStarted = Date.now();
    rows[table] = await copyTable(database, session, source, table, columns);
    logger.debug('table copied', { table, rows: rows[table], ms: Date.now() - copyStarted });
  }

  database.exec('COMMIT');
  database.exec(createIndexesSql);
  database.exec('ANALYZE');
  return rows;
}

async function copyTable(
  database: Database.Database,
  session: DuckSession,
  source: string,
  target: string,
  columns: readonly string[],
): Promise<number> {
  const insert = database.prepare(
    `INSERT INTO ${target} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`,
  );
  const values: unknown[] = new Array(columns.length);
  return session.forEachChunk(`SELECT ${columns.join(', ')} FROM ${source}`, (vectors, count) => {
    const ordered = columns.map((column) => vectors[column]);
    for (let row = 0; row < count; row++) {
      for (let index = 0; index < ordered.length; index++) {
        const value = ordered[index].getItem(row);
        values[index] = typeof value === 'bigint' ? Number(value) : value;
      }
      insert.run(values);
    }
  });
}

/**
 * Refuses, before any work, to replace what is not an online feature store: a folder, or a
 * file without the store's `meta.format`, may be the user's and would be lost.
 */
function assertStoreReplaceable(outFile: string): void {
  if (!fs.existsSync(outFile)) return;
  if (fs.statSync(outFile).isDirectory()) {
    throw new OutputNotReplaceableError(
      outFile,
      'it is a folder; give --out a file path, such as a .sqlite file inside that folder',
    );
  }
  let format: unknown;
  try {
    const existing = new Database(outFile, { readonly: true, fileMustExist: true });
    try {
      format = (
        existing.prepare("SELECT value FROM meta WHERE key = 'format'").get() as
          { value: string } | undefined
      )?.value;
    } finally {
      existing.close();
    }
  } catch {
    format = undefined;
  }
  if (format !== storeFormat) {
    throw new OutputNotReplaceableError(
      outFile,
      'the file is not an online feature store gfr wrote; choose a new path or remove it first',
    );
  }
}
