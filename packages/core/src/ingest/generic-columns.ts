import { eventTypes } from '../canonical/schema';
import { parseDecimal, parseFlexibleTimestamp, parseInteger } from './values';

/**
 * What a column of the generic format holds, which fixes how it is checked in CSV (here) and in
 * Parquet (generic-sql.ts), so both readers accept and reject the same values.
 */
export type GenericValueKind =
  | 'id'
  | 'event-type'
  | 'timestamp'
  | 'position'
  | 'probability'
  | 'share'
  | 'amount'
  | 'number'
  | 'text'
  | 'json-object';

/** One column of a generic-format table. */
export interface GenericColumn {
  name: string;
  kind: GenericValueKind;
  /** Whether the header must have it; a required column's value must not be empty either. */
  required: boolean;
}

/** The tables of the generic format and their columns, in canonical order. */
export const genericTables = {
  events: [
    { name: 'ts', kind: 'timestamp', required: true },
    { name: 'user_id', kind: 'id', required: true },
    { name: 'item_id', kind: 'id', required: true },
    { name: 'type', kind: 'event-type', required: true },
    { name: 'position', kind: 'position', required: false },
    { name: 'channel', kind: 'text', required: false },
    { name: 'request_id', kind: 'text', required: false },
    { name: 'propensity', kind: 'probability', required: false },
  ],
  items: [
    { name: 'item_id', kind: 'id', required: true },
    { name: 'category', kind: 'text', required: false },
    { name: 'brand', kind: 'text', required: false },
    { name: 'price', kind: 'amount', required: false },
    { name: 'created_at', kind: 'timestamp', required: false },
    { name: 'rating', kind: 'number', required: false },
    { name: 'discount', kind: 'share', required: false },
    { name: 'attributes', kind: 'json-object', required: false },
  ],
  users: [
    { name: 'user_id', kind: 'id', required: true },
    { name: 'geo', kind: 'text', required: false },
    { name: 'acquisition_channel', kind: 'text', required: false },
    { name: 'attributes', kind: 'json-object', required: false },
  ],
} as const satisfies Record<string, readonly GenericColumn[]>;

/** Name of a generic-format table. */
export type GenericTableName = keyof typeof genericTables;

/** A checked value: a string, number, ms timestamp or null (empty), or why it is not valid. */
export type CheckedValue = { value: string | number | null } | { error: string };

const eventTypeList = eventTypes.join(', ');

/**
 * Checks one CSV field of a generic-format column. Empty means the empty string; an empty
 * optional field is null. Timestamps come back as ms since the epoch.
 */
export function checkGenericValue(column: GenericColumn, text: string): CheckedValue {
  if (text === '') {
    return column.required ? { error: `empty ${column.name}` } : { value: null };
  }
  switch (column.kind) {
    case 'id':
    case 'text':
      return { value: text };
    case 'event-type':
      return (eventTypes as readonly string[]).includes(text)
        ? { value: text }
        : { error: `unknown ${column.name} '${text}' (expected ${eventTypeList})` };
    case 'timestamp': {
      const parsed = parseFlexibleTimestamp(text);
      return 'error' in parsed ? parsed : { value: parsed.ms };
    }
    case 'position': {
      const value = parseInteger(text);
      return value !== undefined && value >= 1
        ? { value }
        : { error: `${column.name} '${text}' is not a positive integer` };
    }
    case 'json-object':
      return isJsonObject(text)
        ? { value: text }
        : { error: `${column.name} is not a JSON object` };
    default:
      return checkNumber(column, text);
  }
}

function checkNumber(column: GenericColumn, text: string): CheckedValue {
  const value = parseDecimal(text);
  if (value === undefined) return { error: `unparsable ${column.name} '${text}'` };
  const range = numberRanges[column.kind];
  if (range && !range.contains(value)) {
    return { error: `${column.name} '${text}' is not ${range.description}` };
  }
  return { value };
}

/** A numeric kind's allowed range, as a JavaScript test and as SQL over a value expression. */
interface NumberRange {
  contains: (value: number) => boolean;
  sql: (value: string) => string;
  description: string;
}

/** Allowed ranges of the numeric kinds, shared with the Parquet reader's SQL. */
export const numberRanges: Partial<Record<GenericValueKind, NumberRange>> = {
  probability: {
    contains: (v) => v > 0 && v <= 1,
    sql: (v) => `(${v} > 0 AND ${v} <= 1)`,
    description: 'in (0, 1]',
  },
  share: {
    contains: (v) => v >= 0 && v <= 1,
    sql: (v) => `(${v} >= 0 AND ${v} <= 1)`,
    description: 'in [0, 1]',
  },
  amount: { contains: (v) => v >= 0, sql: (v) => `(${v} >= 0)`, description: 'at least 0' },
};

function isJsonObject(text: string): boolean {
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed);
  } catch {
    return false;
  }
}
