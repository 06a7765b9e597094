import { DuckDBAppender, DuckDBTimestampValue } from '@duckdb/node-api';

import { CanonicalItem, CanonicalUser } from '../canonical/schema';
import { DuckSession } from '../duckdb/database';

/**
 * Where the items table comes from:
 * - `sightings`: the log repeats item attributes on every event (taobao, rees46); each event
 *   is a sighting and the latest sighting of each attribute wins.
 * - `catalogue`: a separate item file with one row per item; a repeated id is a bad row.
 * - `none`: no item data at all; every item gets category `unknown`.
 */
export type ItemSource = 'sightings' | 'catalogue' | 'none';

/**
 * Where the users table comes from:
 * - `catalogue`: a user file with one row per user; a repeated id is a bad row.
 * - `derived`: the adapter stages exactly one row per user it derives from the log.
 * - `event-ids`: the log knows users only by id; each user id of the events becomes a user.
 */
export type UserSource = 'catalogue' | 'derived' | 'event-ids';

/**
 * Item and user rows waiting to be resolved into the canonical tables. They live in extra
 * tables of the writer's DuckDB session, so that a large catalogue or millions of sightings
 * cost little JavaScript memory and the resolution (latest sighting, duplicates) is plain SQL.
 */
export class Staging {
  /** How the items table is built; an adapter sets it before staging anything. */
  itemSource: ItemSource = 'none';
  /** The item file when `itemSource` is `catalogue`, for bad-row reports. */
  itemFile = '';
  /** How the users table is built. */
  userSource: UserSource = 'event-ids';
  /** The user file when `userSource` is `catalogue`. */
  userFile = '';

  /**
   * Sightings waiting to be staged, by item id. Logs repeat the same attributes on many events
   * of an item; only the latest of identical sightings matters, so they are merged here and the
   * appender (about a microsecond per value) sees each combination once per flush.
   */
  private readonly pendingSightings = new Map<string, PendingSighting[]>();
  private pendingCount = 0;

  private constructor(
    private readonly items: DuckDBAppender,
    private readonly users: DuckDBAppender,
  ) {}

  /** Creates the staging tables `staged_items` and `staged_users` in `session`. */
  static async open(session: DuckSession): Promise<Staging> {
    await session.run(
      `CREATE TABLE staged_items (item_id VARCHAR, category VARCHAR, category_fallback VARCHAR,
         brand VARCHAR, price DOUBLE, created_at TIMESTAMP, rating DOUBLE, discount DOUBLE,
         attributes VARCHAR, seen_at TIMESTAMP, line BIGINT, text VARCHAR)`,
    );
    await session.run(
      `CREATE TABLE staged_users (user_id VARCHAR, geo VARCHAR, acquisition_channel VARCHAR,
         attributes VARCHAR, line BIGINT, text VARCHAR)`,
    );
    const items = await session.connection.createAppender('staged_items');
    const users = await session.connection.createAppender('staged_users');
    return new Staging(items, users);
  }

  /**
   * Stages one item row. `categoryFallback` is used when no sighting of the item has a
   * `category`; `seenAt` orders sightings (null for catalogue rows); `line` is the row's line
   * number and `text` its raw text (kept for catalogue rows so that duplicates can be reported).
   */
  stageItem(
    item: CanonicalItem,
    where: { seenAt?: Date | null; line: number; text?: string | null },
    categoryFallback?: string | null,
  ): void {
    const appender = this.items;
    appender.appendVarchar(item.item_id);
    appendOptionalVarchar(appender, item.category === '' ? null : item.category);
    appendOptionalVarchar(appender, categoryFallback);
    appendOptionalVarchar(appender, item.brand);
    appendOptionalDouble(appender, item.price);
    appendOptionalTimestamp(appender, item.created_at);
    appendOptionalDouble(appender, item.rating);
    appendOptionalDouble(appender, item.discount);
    appendOptionalVarchar(appender, item.attributes);
    appendOptionalTimestamp(appender, where.seenAt);
    appender.appendBigInt(BigInt(where.line));
    appendOptionalVarchar(appender, where.text);
    appender.endRow();
  }

  /**
   * Records that an event at `seenAtMs` (line `line`) showed `item` with these attributes; the
   * latest sighting of each attribute wins when the items table is built.
   */
  sightItem(item: ItemSighting, seenAtMs: number, line: number): void {
    let sightings = this.pendingSightings.get(item.item_id);
    if (sightings === undefined) {
      sightings = [];
      this.pendingSightings.set(item.item_id, sightings);
    }
    // An item rarely shows more than one or two attribute combinations, so a scan is cheap.
    const pending = sightings.find((candidate) => sameAttributes(candidate.item, item));
    if (pending === undefined) {
      sightings.push({ item, seenAtMs, line });
      this.pendingCount++;
      if (this.pendingCount >= maxPendingSightings) this.stagePendingSightings();
      return;
    }
    if (seenAtMs > pending.seenAtMs || (seenAtMs === pending.seenAtMs && line > pending.line)) {
      pending.seenAtMs = seenAtMs;
      pending.line = line;
    }
  }

  /** Stages one user row of a catalogue; `text` is the raw row for duplicate reports. */
  stageUser(user: CanonicalUser, where: { line: number; text?: string | null }): void {
    const appender = this.users;
    appender.appendVarchar(user.user_id);
    appendOptionalVarchar(appender, user.geo);
    appendOptionalVarchar(appender, user.acquisition_channel);
    appendOptionalVarchar(appender, user.attributes);
    appender.appendBigInt(BigInt(where.line));
    appendOptionalVarchar(appender, where.text);
    appender.endRow();
  }

  /** Flushes and closes the appenders; SQL sees every staged row afterwards. */
  close(): void {
    this.stagePendingSightings();
    for (const appender of [this.items, this.users]) {
      appender.flushSync();
      appender.closeSync();
    }
  }

  private stagePendingSightings(): void {
    for (const sightings of this.pendingSightings.values()) {
      for (const { item, seenAtMs, line } of sightings) {
        this.stageItem(
          {
            item_id: item.item_id,
            category: item.category ?? '',
            brand: item.brand,
            price: item.price,
            attributes: item.attributes,
          },
          { seenAt: new Date(seenAtMs), line },
          item.categoryFallback,
        );
      }
    }
    this.pendingSightings.clear();
    this.pendingCount = 0;
  }
}

/** What one event tells about its item. `categoryFallback` is used when no sighting has a category. */
export interface ItemSighting {
  item_id: string;
  category: string | null;
  categoryFallback?: string | null;
  brand?: string | null;
  price?: number | null;
  attributes?: string | null;
}

interface PendingSighting {
  item: ItemSighting;
  seenAtMs: number;
  line: number;
}

/** Distinct sightings held in memory before they are staged (bounds memory on huge logs). */
const maxPendingSightings = 200_000;

function sameAttributes(a: ItemSighting, b: ItemSighting): boolean {
  return (
    a.category === b.category &&
    (a.categoryFallback ?? null) === (b.categoryFallback ?? null) &&
    (a.brand ?? null) === (b.brand ?? null) &&
    (a.price ?? null) === (b.price ?? null) &&
    (a.attributes ?? null) === (b.attributes ?? null)
  );
}

function appendOptionalVarchar(appender: DuckDBAppender, value: string | null | undefined): void {
  if (value === null || value === undefined) appender.appendNull();
  else appender.appendVarchar(value);
}

function appendOptionalDouble(appender: DuckDBAppender, value: number | null | undefined): void {
  if (value === null || value === undefined || Number.isNaN(value)) appender.appendNull();
  else appender.appendDouble(value);
}

function appendOptionalTimestamp(appender: DuckDBAppender, value: Date | null | undefined): void {
  if (value === null || value === undefined) appender.appendNull();
  else appender.appendTimestamp(new DuckDBTimestampValue(BigInt(value.getTime()) * 1000n));
}
