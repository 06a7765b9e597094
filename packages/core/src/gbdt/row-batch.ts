import { PredictionInputError } from './errors';

/**
 * Checks a batch of rows handed to a batch scorer and returns the array the margins go to:
 * `out` when given (it must hold `rows` entries), else a new one. `values` is row-major with
 * `columns` values per row, of which the model reads the first `numFeature`.
 */
export function checkRowBatch(
  values: Float32Array,
  rows: number,
  columns: number,
  numFeature: number,
  out: Float64Array | undefined,
): Float64Array {
  if (!Number.isInteger(rows) || rows < 0) {
    throw new PredictionInputError(`rows must be a non-negative integer, got ${rows}`);
  }
  if (!Number.isInteger(columns) || columns < numFeature) {
    throw new PredictionInputError(
      `columns must be an integer of at least the model's ${numFeature} features, got ${columns}`,
    );
  }
  if (values.length < rows * columns) {
    throw new PredictionInputError(
      `values holds ${values.length} numbers, ${rows} rows × ${columns} columns need ` +
        `${rows * columns}`,
    );
  }
  if (out === undefined) return new Float64Array(rows);
  if (out.length < rows) {
    throw new PredictionInputError(`out holds ${out.length} entries, ${rows} rows need ${rows}`);
  }
  return out;
}

/**
 * Copies one row into a float32 scratch row the way the reference scorer reads it:
 * `Math.fround` of each value, and `null` / `undefined` / NaN as missing (NaN). Refuses rows
 * shorter than the model's features.
 */
export function copyRowToFloat32(
  row: ArrayLike<number | null | undefined>,
  numFeature: number,
  scratch: Float32Array,
): Float32Array {
  if (row.length < numFeature) {
    throw new PredictionInputError(`row has ${row.length} values, the model needs ${numFeature}`);
  }
  for (let column = 0; column < numFeature; column++) {
    const value = row[column];
    // A Float32Array stores null as 0, so missing values are written as NaN explicitly.
    scratch[column] = value == null ? NaN : value;
  }
  return scratch;
}
