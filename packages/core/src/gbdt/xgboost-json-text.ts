/**
 * JSON text in and out for XGBoost model documents. Kept apart from the document walker
 * (`xgboost-document-reader.ts`) so that a UBJSON decoder can feed the same walker.
 */
import { ModelFormatError } from './errors';
import { formatFloat32 } from './float32';

/** Tree fields XGBoost reads as float arrays: written in float form even for whole numbers. */
const FLOAT_ARRAY_FIELDS = new Set([
  'split_conditions',
  'base_weights',
  'loss_changes',
  'sum_hessian',
]);

/**
 * Parses model JSON text. XGBoost up to 3.0 writes a bare `NaN` into categorical nodes'
 * `split_conditions`, which is not JSON; bare `NaN` / `Infinity` / `inf` tokens outside strings
 * are turned into the strings `"NaN"`, `"Infinity"`, `"-Infinity"` first, so that the walker
 * can say what the model uses instead of failing with a syntax error.
 */
export function parseXGBoostJsonText(text: string): unknown {
  const tokens = /"(?:[^"\\]|\\.)*"|(-?)\b(NaN|nan|Infinity|inf)\b/g;
  const cleaned = text.replace(tokens, (match: string, sign?: string, token?: string) => {
    if (token === undefined) return match;
    if (token.toLowerCase() === 'nan') return '"NaN"';
    return sign === '-' ? '"-Infinity"' : '"Infinity"';
  });
  try {
    return JSON.parse(cleaned);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ModelFormatError('$', `not valid JSON (${reason})`, { cause: error });
  }
}

/**
 * Writes a model document as compact JSON that XGBoost's own reader accepts: float fields in
 * float32 shortest form with an exponent (`0E0`, `-2.2725785E-1`), everything else as
 * `JSON.stringify` would write it. Typed arrays are written as arrays.
 */
export function stringifyXGBoostJson(document: unknown): string {
  return write(document, '');
}

function write(value: unknown, key: string): string {
  if (Array.isArray(value) || (ArrayBuffer.isView(value) && !(value instanceof DataView))) {
    const items = Array.from(value as ArrayLike<unknown>);
    if (FLOAT_ARRAY_FIELDS.has(key)) {
      return `[${items.map((item) => formatFloat32(item as number)).join(',')}]`;
    }
    return `[${items.map((item) => write(item, '')).join(',')}]`;
  }
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).filter(([, item]) => item !== undefined);
    return `{${entries.map(([name, item]) => `${JSON.stringify(name)}:${write(item, name)}`).join(',')}}`;
  }
  if (typeof value === 'number' && !Number.isFinite(value)) {
    throw new RangeError(`cannot write ${value} at '${key}' into an XGBoost model`);
  }
  return JSON.stringify(value);
}
