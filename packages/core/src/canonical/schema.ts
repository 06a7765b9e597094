/**
 * The canonical tables every adapter produces and every later step reads. They are stored as
 * Parquet files named `events.parquet`, `items.parquet` and `users.parquet` in one folder.
 */

/** What happened between a user and an item. `favorite` is kept for logs that record it. */
export const eventTypes = ['impression', 'click', 'cart', 'favorite', 'purchase'] as const;

/** One of {@link eventTypes}. */
export type EventType = (typeof eventTypes)[number];

/** One interaction. `ts` is UTC; `position` is 1-based in the logged feed. */
export interface CanonicalEvent {
  ts: Date;
  user_id: string;
  item_id: string;
  type: EventType;
  position?: number | null;
  channel?: string | null;
  request_id?: string | null;
  /** Probability with which the logging policy showed this item here, where the log records it. */
  propensity?: number | null;
}

/** One catalogue item. Prices are in the log's own currency; `discount` is a share in [0, 1]. */
export interface CanonicalItem {
  item_id: string;
  category: string;
  brand?: string | null;
  price?: number | null;
  created_at?: Date | null;
  rating?: number | null;
  discount?: number | null;
  /** Other attributes of the source as a JSON object string. */
  attributes?: string | null;
}

/** One user. `attributes` holds other attributes of the source as a JSON object string. */
export interface CanonicalUser {
  user_id: string;
  geo?: string | null;
  acquisition_channel?: string | null;
  attributes?: string | null;
}

/** DuckDB column definitions of the canonical tables, in storage order. */
export const canonicalColumns = {
  events: {
    ts: 'TIMESTAMP',
    user_id: 'VARCHAR',
    item_id: 'VARCHAR',
    type: 'VARCHAR',
    position: 'INTEGER',
    channel: 'VARCHAR',
    request_id: 'VARCHAR',
    propensity: 'DOUBLE',
  },
  items: {
    item_id: 'VARCHAR',
    category: 'VARCHAR',
    brand: 'VARCHAR',
    price: 'DOUBLE',
    created_at: 'TIMESTAMP',
    rating: 'DOUBLE',
    discount: 'DOUBLE',
    attributes: 'VARCHAR',
  },
  users: {
    user_id: 'VARCHAR',
    geo: 'VARCHAR',
    acquisition_channel: 'VARCHAR',
    attributes: 'VARCHAR',
  },
} as const;

/** Name of a canonical table. */
export type CanonicalTableName = keyof typeof canonicalColumns;

/** File name of a canonical table inside a tables folder. */
export function canonicalFileName(table: CanonicalTableName): string {
  return `${table}.parquet`;
}
