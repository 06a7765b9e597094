import * as fs from 'node:fs';
import * as path from 'node:path';
import { DuckDBAppender, DuckDBTimestampValue } from '@duckdb/node-api';

import { DuckSession, sqlPath } from '../duckdb/database';
import { GfrError } from '../errors';
import { produceAtomically } from '../io/atomic';
import {
  CanonicalEvent,
  CanonicalItem,
  CanonicalTableName,
  CanonicalUser,
  canonicalColumns,
  canonicalFileName,
} from './schema';

/** Canonical rows broke a rule of the tables (a duplicated id); nothing was written. */
export class CanonicalTableError extends GfrError {
  constructor(message: string) {
    super('CANONICAL_TABLE_INVALID', message);
  }
}

/**
 * What a tables folder may hold: the three tables and the reports gfr writes beside them. A
 * folder with anything else is never replaced.
 */
export const tablesFolderEntries = [
  'events.parquet',
  'items.parquet',
  'users.parquet',
  'ingest-report.json',
  'ground-truth.json',
];

/** Row counts of the three canonical tables. */
export interface CanonicalTableCounts {
  events: number;
  items: number;
  users: number;
}

/**
 * Collects canonical rows in an embedded DuckDB database (through appenders, so millions of
 * rows cost no JavaScript objects) and writes them out as Parquet. Used by every adapter and
 * by the simulator, so the stored layout is the same whatever the source.
 */
export class CanonicalTableWriter {
  private readonly counts: CanonicalTableCounts = { events: 0, items: 0, users: 0 };

  private constructor(
    private readonly session: DuckSession,
    private readonly appenders: Record<CanonicalTableName, DuckDBAppender>,
  ) {}

  /** Opens an empty writer with the three canonical tables created. */
  static async open(): Promise<CanonicalTableWriter> {
    const session = await DuckSession.open();
    for (const [table, columns] of Object.entries(canonicalColumns)) {
      const definition = Object.entries(columns)
        .map(([name, type]) => `${name} ${type}`)
        .join(', ');
      await session.run(`CREATE TABLE ${table} (${definition})`);
    }
    const appenders = {
      events: await session.connection.createAppender('events'),
      items: await session.connection.createAppender('items'),
      users: await session.connection.createAppender('users'),
    };
    return new CanonicalTableWriter(session, appenders);
  }

  /** Appends one event. */
  addEvent(event: CanonicalEvent): void {
    const appender = this.appenders.events;
    appendTimestamp(appender, event.ts);
    appender.appendVarchar(event.user_id);
    appender.appendVarchar(event.item_id);
    appender.appendVarchar(event.type);
    appendOptionalInteger(appender, event.position);
    appendOptionalVarchar(appender, event.channel);
    appendOptionalVarchar(appender, event.request_id);
    appendOptionalDouble(appender, event.propensity);
    appender.endRow();
    this.counts.events++;
  }

  /** Appends one item. Item ids must be unique; {@link finish} checks it. */
  addItem(item: CanonicalItem): void {
    const appender = this.appenders.items;
    appender.appendVarchar(item.item_id);
    appender.appendVarchar(item.category);
    appendOptionalVarchar(appender, item.brand);
    appendOptionalDouble(appender, item.price);
    if (item.created_at) appendTimestamp(appender, item.created_at);
    else appender.appendNull();
    appendOptionalDouble(appender, item.rating);
    appendOptionalDouble(appender, item.discount);
    appendOptionalVarchar(appender, item.attributes);
    appender.endRow();
    this.counts.items++;
  }

  /** Appends one user. User ids must be unique; {@link finish} checks it. */
  addUser(user: CanonicalUser): void {
    const appender = this.appenders.users;
    appender.appendVarchar(user.user_id);
    appendOptionalVarchar(appender, user.geo);
    appendOptionalVarchar(appender, user.acquisition_channel);
    appendOptionalVarchar(appender, user.attributes);
    appender.endRow();
    this.counts.users++;
  }

  /** The DuckDB session holding the tables, for adapters that finish their work in SQL. */
  get duck(): DuckSession {
    return this.session;
  }

  /** Flushes pending rows so that SQL over the tables sees them. */
  flush(): void {
    for (const appender of Object.values(this.appenders)) appender.flushSync();
  }

  /**
   * Writes `events.parquet`, `items.parquet` and `users.parquet` into `outDir` atomically (a
   * temporary folder renamed into place), sorted by time and id, and closes the writer. Throws
   * {@link CanonicalTableError}, writing nothing, when an item or user id occurs twice.
   */
  async finish(outDir: string): Promise<CanonicalTableCounts> {
    try {
      this.flush();
      for (const appender of Object.values(this.appenders)) appender.closeSync();
      await this.requireUniqueIds('items', 'item_id');
      await this.requireUniqueIds('users', 'user_id');
      const counts = await this.tableCounts();
      await produceAtomically(
        outDir,
        async (temporaryDir) => {
          fs.mkdirSync(temporaryDir, { recursive: true });
          await this.copyOut('events', 'ts, user_id, item_id', temporaryDir);
          await this.copyOut('items', 'item_id', temporaryDir);
          await this.copyOut('users', 'user_id', temporaryDir);
        },
        { replaceableEntries: tablesFolderEntries },
      );
      return counts;
    } finally {
      this.session.close();
    }
  }

  /** Discards every row and closes the writer without writing anything. */
  abort(): void {
    this.session.close();
  }

  private async requireUniqueIds(table: CanonicalTableName, column: string): Promise<void> {
    const duplicates = await this.session.jsonRows(
      `SELECT ${column} AS id, count(*)::DOUBLE AS copies FROM ${table}
       GROUP BY ${column} HAVING count(*) > 1 ORDER BY ${column} LIMIT 3`,
    );
    if (duplicates.length === 0) return;
    const listed = duplicates.map((row) => `"${String(row.id)}" (${row.copies} rows)`).join(', ');
    throw new CanonicalTableError(`${table} ids must be unique; repeated: ${listed}`);
  }

  private async tableCounts(): Promise<CanonicalTableCounts> {
    const [row] = await this.session.jsonRows(
      `SELECT (SELECT count(*) FROM events) AS events, (SELECT count(*) FROM items) AS items,
              (SELECT count(*) FROM users) AS users`,
    );
    return { events: Number(row.events), items: Number(row.items), users: Number(row.users) };
  }

  private async copyOut(table: CanonicalTableName, orderBy: string, dir: string): Promise<void> {
    const target = path.join(dir, canonicalFileName(table));
    await this.session.run(
      `COPY (SELECT * FROM ${table} ORDER BY ${orderBy}) TO ${sqlPath(target)} (FORMAT parquet)`,
    );
  }
}

function appendTimestamp(appender: DuckDBAppender, value: Date): void {
  appender.appendTimestamp(new DuckDBTimestampValue(BigInt(value.getTime()) * 1000n));
}

function appendOptionalVarchar(appender: DuckDBAppender, value: string | null | undefined): void {
  if (value === null || value === undefined) appender.appendNull();
  else appender.appendVarchar(value);
}

function appendOptionalDouble(appender: DuckDBAppender, value: number | null | undefined): void {
  if (value === null || value === undefined || Number.isNaN(value)) appender.appendNull();
  else appender.appendDouble(value);
}

function appendOptionalInteger(appender: DuckDBAppender, value: number | null | undefined): void {
  if (value === null || value === undefined) appender.appendNull();
  else appender.appendInteger(value);
}
