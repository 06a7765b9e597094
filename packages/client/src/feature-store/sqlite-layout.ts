/**
 * The layout of the SQLite online feature store file that {@link materializeFeatureStore}
 * writes and {@link SqliteFeatureStore} reads. Every decayed count is stored with the moment it
 * was evaluated (`updated_at`, epoch seconds) so that readers can bring it forward in time.
 * Pair tables are `WITHOUT ROWID` with the user first in the key, so one user's history is one
 * contiguous range of the B-tree.
 */

/** `meta.format` of a gfr online feature store. */
export const storeFormat = 'gfr-online-features';

/** `meta.format_version`; bumped on incompatible changes of the tables below. */
export const storeFormatVersion = 1;

/** Columns of a user's own aggregates, in table order (after `user_id`, `geo`, `acquisition_channel`). */
export const userAggregateColumns = [
  'impressions',
  'clicks',
  'clicks_decayed',
  'updated_at',
  'last_click_at',
  'purchases',
  'clicked_log_price_sum',
  'clicked_log_price_square_sum',
  'clicked_price_count',
  'clicked_rating_sum',
  'clicked_rating_count',
  'clicked_discount_sum',
  'clicked_discount_count',
] as const;

/** The pair tables: name, the column paired with the user, and core's state table they copy. */
export const pairTables = [
  { table: 'user_categories', column: 'category', stateTable: 'state_user_category' },
  { table: 'user_brands', column: 'brand', stateTable: 'state_user_brand' },
  { table: 'user_items', column: 'item_id', stateTable: 'state_user_item' },
] as const;

const pairTable = (table: string, column: string) => `
  CREATE TABLE ${table} (
    user_id TEXT NOT NULL,
    ${column} TEXT NOT NULL,
    clicks REAL NOT NULL,
    clicks_decayed REAL NOT NULL,
    updated_at REAL NOT NULL,
    purchases REAL NOT NULL,
    PRIMARY KEY (user_id, ${column})
  ) WITHOUT ROWID;`;

/** Creates every table of the store (indexes come after the bulk load). */
export const createTablesSql = `
  CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
  CREATE TABLE global_totals (
    impressions REAL NOT NULL,
    clicks REAL NOT NULL,
    purchases REAL NOT NULL,
    updated_at REAL
  );
  CREATE TABLE users (
    user_id TEXT PRIMARY KEY,
    geo TEXT,
    acquisition_channel TEXT,
    ${userAggregateColumns
      .map((column) => `${column} REAL${column === 'last_click_at' ? '' : ' NOT NULL'}`)
      .join(',\n    ')}
  ) WITHOUT ROWID;
  CREATE TABLE items (
    item_id TEXT PRIMARY KEY,
    category TEXT,
    brand TEXT,
    price REAL,
    rating REAL,
    discount REAL,
    created_at REAL,
    impressions REAL NOT NULL,
    clicks REAL NOT NULL,
    clicks_decayed REAL NOT NULL,
    updated_at REAL NOT NULL,
    purchases REAL NOT NULL,
    first_seen_at REAL
  ) WITHOUT ROWID;
  ${pairTables.map(({ table, column }) => pairTable(table, column)).join('\n')}
  CREATE TABLE exploit_items (
    user_id TEXT NOT NULL,
    rank INTEGER NOT NULL,
    item_id TEXT NOT NULL,
    PRIMARY KEY (user_id, rank)
  ) WITHOUT ROWID;
  CREATE TABLE popular_items (rank INTEGER PRIMARY KEY, item_id TEXT NOT NULL);
  CREATE TABLE recent_items (rank INTEGER PRIMARY KEY, item_id TEXT NOT NULL);
  CREATE TABLE category_top_items (
    category TEXT NOT NULL,
    rank INTEGER NOT NULL,
    item_id TEXT NOT NULL,
    PRIMARY KEY (category, rank)
  ) WITHOUT ROWID;`;

/** Secondary indexes, built once the tables are loaded (cheaper than maintaining them). */
export const createIndexesSql = `
  CREATE INDEX user_items_purchased ON user_items (user_id, item_id) WHERE purchases > 0;`;
