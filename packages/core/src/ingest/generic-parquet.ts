import * as fs from 'node:fs';

import { sqlPath, sqlString } from '../duckdb/database';
import { locateColumns } from './columns';
import { IngestContext } from './context';
import { IngestFormatError } from './errors';
import { GenericTableName, genericTables } from './generic-columns';
import { genericColumnSql, sqlIdentifier } from './generic-sql';
import { badRowTextLength, maxReportedBadRows } from './report';

/** Canonical destination columns of each generic table, in insertion order. */
const insertTargets: Record<GenericTableName, { table: string; columns: string[] }> = {
  events: {
    table: 'events',
    columns: [
      'ts',
      'user_id',
      'item_id',
      'type',
      'position',
      'channel',
      'request_id',
      'propensity',
    ],
  },
  items: {
    table: 'staged_items',
    columns: [
      'item_id',
      'category',
      'brand',
      'price',
      'created_at',
      'rating',
      'discount',
      'attributes',
    ],
  },
  users: {
    table: 'staged_users',
    columns: ['user_id', 'geo', 'acquisition_channel', 'attributes'],
  },
};

/** The row index pandas writes into Parquet files: not data. */
const pandasIndexColumn = /^__index_level_\d+__$/;

/**
 * Reads one generic-format table from Parquet entirely in DuckDB: every value is checked in SQL
 * with the CSV reader's rules, bad rows are reported by their 1-based row number with the row as
 * JSON, and the good rows are inserted into the events table or the staging tables. Columns
 * beyond the format's go into `attributes` for items and users and are ignored (with a note) for
 * events.
 */
export async function readGenericParquet(
  context: IngestContext,
  table: GenericTableName,
  file: string,
): Promise<void> {
  const session = context.writer.duck;
  const tally = context.startFile(file, table);
  // Text timestamps without a zone are UTC, as in CSV; DuckDB would otherwise use local time.
  await session.run(`SET TimeZone = 'UTC'`);
  const types = await parquetColumnTypes(context, file);
  const header = [...types.keys()];
  const spec = genericTables[table];
  locateColumns(
    file,
    header,
    spec.filter((column) => column.required).map((column) => column.name),
  );

  const known = new Set<string>(spec.map((column) => column.name));
  const indexColumns = header.filter((name) => pandasIndexColumn.test(name));
  const extras = header.filter((name) => !known.has(name) && !pandasIndexColumn.test(name));
  const present = spec.filter((column) => types.has(column.name));
  const columnSql = present.map((column) => ({
    name: column.name,
    ...genericColumnSql(column, types.get(column.name) as string),
  }));
  const values = columnSql.map((column) => `${column.value} AS ${valueAlias(column.name)}`);
  const reason = `coalesce(${columnSql.map((column) => column.error).join(', ')})`;
  const rowJson = `json_object(${header.map((name) => `${sqlString(name)}, ${sqlIdentifier(name)}`).join(', ')})`;
  const limit =
    table === 'events' && context.limitRows !== undefined
      ? `WHERE file_row_number < ${context.limitRows}`
      : '';
  const checked = `generic_checked_${table}`;
  await session.run(
    `CREATE TEMP TABLE ${checked} AS
     SELECT file_row_number + 1 AS row_number, left(${rowJson}::VARCHAR, ${badRowTextLength}) AS text,
            ${values.join(', ')}, ${reason} AS reason${extrasSql(table, extras)}
     FROM read_parquet(${sqlPath(file)}, file_row_number = true) ${limit}`,
  );

  await reportParquetRows(context, tally, checked);
  const presentNames = new Set(present.map((column) => column.name));
  const hasExtras = table !== 'events' && extras.length > 0;
  await insertGoodRows(context, table, checked, presentNames, hasExtras);

  if (extras.length > 0) {
    context.notes.push(
      table === 'events'
        ? `${file}: ignored columns ${extras.join(', ')} (not part of the events format)`
        : `${file}: columns ${extras.join(', ')} are kept in attributes`,
    );
  }
  if (indexColumns.length > 0) {
    context.notes.push(`${file}: ignored the row index column(s) ${indexColumns.join(', ')}`);
  }
  if (limit !== '') {
    const [row] = await session.jsonRows(
      `SELECT count(*)::DOUBLE AS n FROM read_parquet(${sqlPath(file)})`,
    );
    if (Number(row.n) > tally.rowsRead) {
      context.notes.push(`${file}: stopped after ${tally.rowsRead} rows (limitRows)`);
    }
  }
  context.finishFile(fs.statSync(file).size);
}

async function parquetColumnTypes(
  context: IngestContext,
  file: string,
): Promise<Map<string, string>> {
  try {
    const rows = await context.writer.duck.jsonRows(
      `DESCRIBE SELECT * FROM read_parquet(${sqlPath(file)})`,
    );
    return new Map(rows.map((row) => [String(row.column_name), String(row.column_type)]));
  } catch (error) {
    throw new IngestFormatError(file, 'not a readable Parquet file', { cause: error });
  }
}

/** For items and users: other columns become attributes, merged over an `attributes` column. */
function extrasSql(table: GenericTableName, extras: string[]): string {
  if (table === 'events' || extras.length === 0) return '';
  const pairs = extras.map((name) => `${sqlString(name)}, CAST(${sqlIdentifier(name)} AS VARCHAR)`);
  // json_merge_patch drops keys whose value is null, as the CSV reader skips empty fields.
  return `, json_object(${pairs.join(', ')}) AS extra_attributes`;
}

async function reportParquetRows(
  context: IngestContext,
  tally: ReturnType<IngestContext['startFile']>,
  checked: string,
): Promise<void> {
  const session = context.writer.duck;
  const [counts] = await session.jsonRows(
    `SELECT count(*)::DOUBLE AS rows, count(reason)::DOUBLE AS bad FROM ${checked}`,
  );
  context.countRows(tally, Number(counts.rows));
  const bad = Number(counts.bad);
  if (bad === 0) return;

  const listed = Math.max(0, maxReportedBadRows - context.badRows.length);
  const rows = await session.jsonRows(
    `SELECT row_number::DOUBLE AS row_number, reason, text FROM ${checked}
     WHERE reason IS NOT NULL ORDER BY row_number LIMIT ${listed}`,
  );
  for (const row of rows) {
    context.badRow(tally, Number(row.row_number), String(row.reason), String(row.text));
  }
  context.countUnlistedBadRows(tally, bad - rows.length);
}

async function insertGoodRows(
  context: IngestContext,
  table: GenericTableName,
  checked: string,
  present: Set<string>,
  hasExtras: boolean,
): Promise<void> {
  const target = insertTargets[table];
  const selected = target.columns.map((name) => {
    if (name === 'attributes') return attributesSql(present, hasExtras);
    return present.has(name) ? valueAlias(name) : 'NULL';
  });
  const stagingColumns = table === 'events' ? '' : ', line, text';
  const stagingValues = table === 'events' ? '' : ', row_number, text';
  await context.writer.duck.run(
    `INSERT INTO ${target.table} (${target.columns.join(', ')}${stagingColumns})
     SELECT ${selected.join(', ')}${stagingValues} FROM ${checked} WHERE reason IS NULL`,
  );
}

/** The row's `attributes` column merged with the extra columns; null when both are empty. */
function attributesSql(present: Set<string>, hasExtras: boolean): string {
  const own = present.has('attributes') ? valueAlias('attributes') : null;
  if (!hasExtras) return own ?? 'NULL';
  return `nullif(json_merge_patch(coalesce(${own ?? 'NULL'}, '{}'), extra_attributes)::VARCHAR, '{}')`;
}

function valueAlias(name: string): string {
  return sqlIdentifier(`value_${name}`);
}
