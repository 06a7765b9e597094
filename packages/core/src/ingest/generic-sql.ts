import { eventTypes } from '../canonical/schema';
import { sqlString } from '../duckdb/database';
import { GenericColumn, numberRanges } from './generic-columns';
import {
  dateTimeSource,
  decimalSource,
  latestTimestampMs,
  unixMillisecondsThreshold,
  unixNumberSource,
} from './values';

/** SQL for one generic-format column read from Parquet: its checked value and its error. */
export interface ColumnSql {
  /** Expression of the canonical value (TIMESTAMP, VARCHAR, DOUBLE or INTEGER). */
  value: string;
  /** Expression that is NULL for a good value, else the reason (same wording as the CSV reader). */
  error: string;
}

const numericType = /^(U?(TINY|SMALL|BIG|HUGE)?INT(EGER)?|FLOAT|REAL|DOUBLE|DECIMAL.*)$/;
const timestampType = /^(TIMESTAMP.*|DATE)$/;
const nestedType = /^(STRUCT|MAP).*$/;
const integerSource = String.raw`[+-]?\d+`;

/** Quotes a column name as a SQL identifier. */
export function sqlIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * Builds the value and error expressions of `column`, whose Parquet type (as DuckDB names it) is
 * `type`. Values are checked with the same rules as {@link checkGenericValue}: typed Parquet
 * columns (numbers, timestamps) are taken as they are; text columns are matched against the
 * same patterns as CSV fields. Every cast is a TRY_CAST so that no row can fail the query.
 */
export function genericColumnSql(column: GenericColumn, type: string): ColumnSql {
  const source = sqlIdentifier(column.name);
  const text = `CAST(${source} AS VARCHAR)`;
  const isNumeric = numericType.test(type);
  const empty = isNumeric
    ? `(${source} IS NULL OR isnan(${source}::DOUBLE))`
    : `(${source} IS NULL OR ${text} = '')`;
  const emptyError = column.required ? sqlString(`empty ${column.name}`) : 'NULL';
  const quoted = `'''' || ${text} || ''''`;
  const withError = (checks: [string, string][]): string =>
    `CASE WHEN ${empty} THEN ${emptyError} ` +
    checks.map(([when, error]) => `WHEN ${when} THEN ${error}`).join(' ') +
    ' END';

  switch (column.kind) {
    case 'id':
    case 'text':
      return { value: `nullif(${text}, '')`, error: withError([]) };

    case 'event-type': {
      const list = eventTypes.map(sqlString).join(', ');
      const expected = sqlString(` (expected ${eventTypes.join(', ')})`);
      return {
        value: text,
        error: withError([
          [`${text} NOT IN (${list})`, `'unknown ${column.name} ' || ${quoted} || ${expected}`],
        ]),
      };
    }

    case 'json-object': {
      const json = nestedType.test(type) ? `to_json(${source})::VARCHAR` : text;
      return {
        value: `nullif(${json}, '')`,
        error: withError([
          [`NOT json_valid(${json})`, sqlString(`${column.name} is not a JSON object`)],
          [`json_type(${json}) <> 'OBJECT'`, sqlString(`${column.name} is not a JSON object`)],
        ]),
      };
    }

    case 'timestamp': {
      const ms = timestampMsSql(source, text, type);
      return {
        value: `make_timestamp((${ms} * 1000)::BIGINT)`,
        error: withError([
          [
            `${ms} IS NULL`,
            `'unparsable timestamp ' || ${quoted} || ' (expected ISO 8601 or unix seconds/milliseconds)'`,
          ],
          [
            `${ms} < 0 OR ${ms} >= ${latestTimestampMs}`,
            `'timestamp ' || ${quoted} || ' is outside 1970-01-01 .. 2099-12-31'`,
          ],
        ]),
      };
    }

    case 'position': {
      const number = isNumeric
        ? `${source}::DOUBLE`
        : `CASE WHEN regexp_full_match(${text}, '${integerSource}') THEN TRY_CAST(${text} AS DOUBLE) END`;
      const notPositive = sqlString(' is not a positive integer');
      return {
        value: `TRY_CAST(${number} AS INTEGER)`,
        error: withError([
          [
            `${number} IS NULL OR ${number} <> floor(${number}) OR ${number} < 1 OR ${number} > 2147483647`,
            `${sqlString(column.name + ' ')} || ${quoted} || ${notPositive}`,
          ],
        ]),
      };
    }

    default: {
      const number = isNumeric
        ? `CASE WHEN isfinite(${source}::DOUBLE) THEN ${source}::DOUBLE END`
        : `CASE WHEN regexp_full_match(${text}, '${decimalSource}') THEN TRY_CAST(${text} AS DOUBLE) END`;
      const range = numberRanges[column.kind];
      const checks: [string, string][] = [
        [`${number} IS NULL`, `${sqlString(`unparsable ${column.name} `)} || ${quoted}`],
      ];
      if (range) {
        checks.push([
          `NOT ${range.sql(number)}`,
          `${sqlString(column.name + ' ')} || ${quoted} || ${sqlString(` is not ${range.description}`)}`,
        ]);
      }
      return { value: number, error: withError(checks) };
    }
  }
}

/**
 * Milliseconds since the epoch of a timestamp column, or NULL when unparsable: typed
 * timestamps as they are (a zone-less TIMESTAMP is UTC), numbers and digit strings as unix
 * time (seconds below {@link unixMillisecondsThreshold}, else milliseconds), other text as ISO
 * 8601 when it matches the CSV reader's pattern (the session's time zone must be UTC).
 */
function timestampMsSql(source: string, text: string, type: string): string {
  const unix = (number: string) =>
    `floor(CASE WHEN ${number} >= ${unixMillisecondsThreshold} THEN ${number} ELSE ${number} * 1000 END)`;
  if (timestampType.test(type)) {
    // epoch_ms of TIMESTAMPTZ is the instant; zone-less types are read as UTC wall time.
    const instant = type.includes('TIME ZONE') ? source : `${source}::TIMESTAMP`;
    return `epoch_ms(${instant})::DOUBLE`;
  }
  if (numericType.test(type)) {
    return `CASE WHEN isfinite(${source}::DOUBLE) THEN ${unix(`${source}::DOUBLE`)} END`;
  }
  return (
    `CASE WHEN regexp_full_match(${text}, '${unixNumberSource}') ` +
    `THEN ${unix(`TRY_CAST(${text} AS DOUBLE)`)} ` +
    `WHEN regexp_full_match(${text}, '${dateTimeSource}') ` +
    `THEN epoch_ms(TRY_CAST(${text} AS TIMESTAMPTZ))::DOUBLE END`
  );
}
