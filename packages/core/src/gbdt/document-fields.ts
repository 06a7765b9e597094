/**
 * Typed access to a parsed model document, with errors that name the field's path. Arrays may
 * be plain arrays or typed arrays (as a UBJSON decoder yields); numbers may be the strings
 * `"NaN"`, `"Infinity"`, `"-Infinity"` that the JSON text reader substitutes for XGBoost's
 * bare non-finite tokens.
 */
import { ModelFormatError } from './errors';

/** Whether a value is present (neither undefined nor null). */
export function isPresent(value: unknown): boolean {
  return value !== undefined && value !== null;
}

/** The value as an object, or an error naming `path`. */
export function objectOf(value: unknown, path: string): Record<string, unknown> {
  if (
    typeof value !== 'object' ||
    value === null ||
    Array.isArray(value) ||
    ArrayBuffer.isView(value)
  ) {
    throw new ModelFormatError(path, `expected an object, got ${describe(value)}`);
  }
  return value as Record<string, unknown>;
}

/** A required field of an object. */
export function field(object: Record<string, unknown>, key: string, path: string): unknown {
  const value = object[key];
  if (!isPresent(value)) throw new ModelFormatError(`${path}.${key}`, 'required field is missing');
  return value;
}

/** An optional field of an object (undefined when absent or null). */
export function optionalField(object: Record<string, unknown>, key: string): unknown {
  const value = object[key];
  return isPresent(value) ? value : undefined;
}

/** The value as a string. */
export function stringOf(value: unknown, path: string): string {
  if (typeof value !== 'string')
    throw new ModelFormatError(path, `expected a string, got ${describe(value)}`);
  return value;
}

/** An integer stored as a number or, as XGBoost stores parameters, as a decimal string. */
export function integerOf(value: unknown, path: string): number {
  const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isInteger(number)) {
    throw new ModelFormatError(path, `expected an integer, got ${describe(value)}`);
  }
  return number;
}

/** An array of strings. */
export function stringArray(value: unknown, path: string): string[] {
  return elements(value, path).map((item, i) => stringOf(item, `${path}[${i}]`));
}

/** An array of integers. */
export function integerArray(value: unknown, path: string): number[] {
  return elements(value, path).map((item, i) => {
    if (typeof item !== 'number' || !Number.isInteger(item)) {
      throw new ModelFormatError(`${path}[${i}]`, `expected an integer, got ${describe(item)}`);
    }
    return item;
  });
}

/** An array of numbers; non-finite markers become NaN and ±Infinity (callers judge them). */
export function floatArray(value: unknown, path: string): number[] {
  return elements(value, path).map((item, i) => {
    if (typeof item === 'number') return item;
    if (item === 'NaN') return NaN;
    if (item === 'Infinity') return Infinity;
    if (item === '-Infinity') return -Infinity;
    throw new ModelFormatError(`${path}[${i}]`, `expected a number, got ${describe(item)}`);
  });
}

/** An array of flags: 0/1 integers (XGBoost 1.x–3.x JSON) or booleans. */
export function booleanArray(value: unknown, path: string): number[] {
  return elements(value, path).map((item, i) => {
    if (item === true || item === 1) return 1;
    if (item === false || item === 0) return 0;
    throw new ModelFormatError(
      `${path}[${i}]`,
      `expected 0, 1 or a boolean, got ${describe(item)}`,
    );
  });
}

function elements(value: unknown, path: string): unknown[] {
  if (Array.isArray(value)) return value;
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    return Array.from(value as unknown as ArrayLike<number | bigint>, (item) =>
      typeof item === 'bigint' ? Number(item) : item,
    );
  }
  throw new ModelFormatError(path, `expected an array, got ${describe(value)}`);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `'${value.length > 40 ? `${value.slice(0, 40)}…` : value}'`;
  if (typeof value === 'object') return ArrayBuffer.isView(value) ? 'a typed array' : 'an object';
  return `${typeof value} ${String(value)}`;
}
