import { TrainingDataError } from './errors';

// Module-level aliases: global lookups (`Infinity`) are slow inside jest's VM sandbox.
const { POSITIVE_INFINITY, NEGATIVE_INFINITY } = Number;

/**
 * A dense table of model inputs: `rows × columns` float32 values in row-major order, NaN for a
 * missing value (0 is a value). `featureNames[j]` names column `j`; the order is the model's
 * feature order.
 */
export interface FeatureMatrix {
  values: Float32Array;
  rows: number;
  columns: number;
  featureNames: string[];
}

/** Labels (and optional per-row weights) of a training or validation set. */
export interface LabelledMatrix {
  matrix: FeatureMatrix;
  /** Click / conversion labels in [0, 1], one per row. */
  labels: Float32Array;
  /** Non-negative row weights; every row weighs 1 when absent. */
  weights?: Float32Array;
}

/**
 * Builds a matrix from row arrays (`null`, `undefined` and NaN become missing). Convenient for
 * tests and small inputs; large inputs should fill `values` directly.
 */
export function featureMatrixFromRows(
  rows: ReadonlyArray<ReadonlyArray<number | null | undefined>>,
  featureNames: string[],
): FeatureMatrix {
  const columns = featureNames.length;
  const values = new Float32Array(rows.length * columns);
  rows.forEach((row, r) => {
    if (row.length !== columns) {
      throw new TrainingDataError(`row ${r} has ${row.length} values, expected ${columns}`);
    }
    for (let j = 0; j < columns; j++) {
      const value = row[j];
      values[r * columns + j] = value === null || value === undefined ? NaN : value;
    }
  });
  return { values, rows: rows.length, columns, featureNames: [...featureNames] };
}

/** Checks a matrix's shape and that it holds no infinite values (XGBoost refuses them too). */
export function validateFeatureMatrix(matrix: FeatureMatrix, setName: string): void {
  const { rows, columns, values, featureNames } = matrix;
  if (!Number.isInteger(rows) || rows < 1) {
    throw new TrainingDataError(`${setName} matrix: rows must be a positive integer, got ${rows}`);
  }
  if (!Number.isInteger(columns) || columns < 1) {
    throw new TrainingDataError(
      `${setName} matrix: columns must be a positive integer, got ${columns}`,
    );
  }
  if (values.length !== rows * columns) {
    throw new TrainingDataError(
      `${setName} matrix: ${values.length} values for ${rows} rows × ${columns} columns`,
    );
  }
  if (featureNames.length !== columns) {
    throw new TrainingDataError(
      `${setName} matrix: ${featureNames.length} feature names for ${columns} columns`,
    );
  }
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (value === POSITIVE_INFINITY || value === NEGATIVE_INFINITY) {
      const column = i % columns;
      throw new TrainingDataError(
        `${setName} matrix: row ${(i - column) / columns}, column ${column} ` +
          `(${featureNames[column]}) is ${value}; use NaN for a missing value`,
      );
    }
  }
}

/** Checks labels (finite, in [0, 1]) and weights (finite, non-negative, positive total). */
export function validateLabels(set: LabelledMatrix, setName: string): void {
  const { matrix, labels, weights } = set;
  if (labels.length !== matrix.rows) {
    throw new TrainingDataError(`${setName} set: ${labels.length} labels for ${matrix.rows} rows`);
  }
  for (let r = 0; r < labels.length; r++) {
    const label = labels[r];
    if (!(label >= 0 && label <= 1)) {
      throw new TrainingDataError(`${setName} set: label of row ${r} is ${label}, not in [0, 1]`);
    }
  }
  if (weights === undefined) return;
  if (weights.length !== matrix.rows) {
    throw new TrainingDataError(
      `${setName} set: ${weights.length} weights for ${matrix.rows} rows`,
    );
  }
  let total = 0;
  for (let r = 0; r < weights.length; r++) {
    const weight = weights[r];
    if (!(weight >= 0) || weight === POSITIVE_INFINITY) {
      throw new TrainingDataError(
        `${setName} set: weight of row ${r} is ${weight}, not a finite non-negative number`,
      );
    }
    total += weight;
  }
  if (!(total > 0)) {
    throw new TrainingDataError(`${setName} set: weights sum to ${total}, need a positive sum`);
  }
}
