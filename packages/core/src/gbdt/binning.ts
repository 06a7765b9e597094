import { FeatureMatrix } from './feature-matrix';
import { FLOAT32_MAX } from './float32';
import { SeededRandom } from './random';

/**
 * How each feature's values map to histogram bins. Value bin `b` of feature `j` holds the
 * float32 values `x` with `cuts[j][b - 1] <= x < cuts[j][b]`; the bin after the last value bin
 * holds missing values. Because the cuts are float32 values and bins are assigned by float32
 * comparison, "bins `<= b` go left" is exactly "`Math.fround(x) < cuts[j][b]` goes left", the
 * test XGBoost applies to the threshold written into the model.
 */
export interface FeatureBinning {
  /** Strictly increasing float32 cut points per feature. */
  cuts: Float32Array[];
  /** Value bins per feature (`cuts[j].length + 1`); this is also the feature's missing-bin code. */
  valueBinCounts: Int32Array;
  /** First histogram bin of each feature, then the total (`columns + 1` entries). */
  histogramOffsets: Int32Array;
  /** Histogram bins over all features, missing bins included. */
  totalBins: number;
  /**
   * 1 when every training value of the feature is below {@link FLOAT32_MAX}, so a split
   * "value present left, missing right" can use that threshold without misrouting any row.
   */
  missingSplitAllowed: Uint8Array;
}

/** Rows used to choose cut points; larger inputs are sampled down to about this many. */
export const CUT_SAMPLE_ROWS = 262_144;

/**
 * Chooses up to `maxBins - 1` value bins per feature at weighted quantiles of the (sampled)
 * values. A feature with few distinct values gets one bin per value, so splits can fall
 * between any two of them.
 */
export function computeFeatureBinning(
  matrix: FeatureMatrix,
  weights: Float32Array | undefined,
  maxBins: number,
  seed: number,
): FeatureBinning {
  const sampleRows = chooseSampleRows(matrix.rows, seed);
  const maxValueBins = maxBins - 1;
  const cuts: Float32Array[] = [];
  const missingSplitAllowed = new Uint8Array(matrix.columns);

  for (let column = 0; column < matrix.columns; column++) {
    const values = sampledColumn(matrix, column, sampleRows);
    values.sort();
    const distinct = distinctValues(values);
    const distinctWeights = weightsOfDistinct(matrix, column, sampleRows, weights, distinct);
    cuts.push(chooseCuts(distinct.values, distinctWeights, maxValueBins));
    missingSplitAllowed[column] = columnMaximum(matrix, column) < FLOAT32_MAX ? 1 : 0;
  }

  const valueBinCounts = Int32Array.from(cuts, (c) => c.length + 1);
  const histogramOffsets = new Int32Array(matrix.columns + 1);
  for (let column = 0; column < matrix.columns; column++) {
    histogramOffsets[column + 1] = histogramOffsets[column] + valueBinCounts[column] + 1;
  }
  return {
    cuts,
    valueBinCounts,
    histogramOffsets,
    totalBins: histogramOffsets[matrix.columns],
    missingSplitAllowed,
  };
}

/**
 * Writes every value's bin into `target`, column-major (`target[column * rows + row]`), the
 * layout the histogram kernels read one feature at a time.
 */
export function assignBins(
  matrix: FeatureMatrix,
  binning: FeatureBinning,
  target: Uint8Array,
): void {
  const { rows, columns, values } = matrix;
  for (let column = 0; column < columns; column++) {
    const cuts = binning.cuts[column];
    const missingBin = binning.valueBinCounts[column];
    const base = column * rows;
    for (let row = 0, at = column; row < rows; row++, at += columns) {
      const value = values[at];
      target[base + row] = value !== value ? missingBin : upperBound(cuts, value);
    }
  }
}

/** The float32 threshold of a split that sends value bins `<= splitBin` left. */
export function splitThreshold(binning: FeatureBinning, feature: number, splitBin: number): number {
  const cuts = binning.cuts[feature];
  return splitBin < cuts.length ? cuts[splitBin] : FLOAT32_MAX;
}

/** Number of cuts `<= value`, i.e. the value's bin. */
function upperBound(cuts: Float32Array, value: number): number {
  let low = 0;
  let high = cuts.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (cuts[middle] <= value) low = middle + 1;
    else high = middle;
  }
  return low;
}

function chooseSampleRows(rows: number, seed: number): Uint32Array | null {
  if (rows <= CUT_SAMPLE_ROWS) return null;
  const random = new SeededRandom(seed ^ 0x5bd1e995);
  const keep = CUT_SAMPLE_ROWS / rows;
  const chosen: number[] = [];
  for (let row = 0; row < rows; row++) if (random.next() < keep) chosen.push(row);
  return Uint32Array.from(chosen);
}

function sampledColumn(matrix: FeatureMatrix, column: number, sample: Uint32Array | null) {
  const { rows, columns, values } = matrix;
  const count = sample === null ? rows : sample.length;
  const out = new Float32Array(count);
  let kept = 0;
  for (let i = 0; i < count; i++) {
    const row = sample === null ? i : sample[i];
    const value = values[row * columns + column];
    if (value === value) out[kept++] = value;
  }
  return out.subarray(0, kept);
}

function distinctValues(sorted: Float32Array): { values: Float32Array; counts: Float64Array } {
  const values = new Float32Array(sorted.length);
  const counts = new Float64Array(sorted.length);
  let distinct = 0;
  for (let i = 0; i < sorted.length; i++) {
    if (distinct > 0 && values[distinct - 1] === sorted[i]) {
      counts[distinct - 1] += 1;
    } else {
      values[distinct] = sorted[i];
      counts[distinct++] = 1;
    }
  }
  return { values: values.slice(0, distinct), counts: counts.slice(0, distinct) };
}

function weightsOfDistinct(
  matrix: FeatureMatrix,
  column: number,
  sample: Uint32Array | null,
  weights: Float32Array | undefined,
  distinct: { values: Float32Array; counts: Float64Array },
): Float64Array {
  if (weights === undefined) return distinct.counts;
  const { rows, columns, values } = matrix;
  const totals = new Float64Array(distinct.values.length);
  const count = sample === null ? rows : sample.length;
  for (let i = 0; i < count; i++) {
    const row = sample === null ? i : sample[i];
    const value = values[row * columns + column];
    if (value === value) totals[upperBound(distinct.values, value) - 1] += weights[row];
  }
  return totals;
}

function chooseCuts(distinct: Float32Array, weights: Float64Array, maxValueBins: number) {
  if (distinct.length <= maxValueBins) return distinct.slice(1);

  let total = 0;
  for (let i = 0; i < weights.length; i++) total += weights[i];
  const cuts: number[] = [];
  let below = 0;
  let nextQuantile = 1;
  for (let i = 1; i < distinct.length && nextQuantile < maxValueBins; i++) {
    below += weights[i - 1];
    if (below >= (nextQuantile * total) / maxValueBins) {
      cuts.push(distinct[i]);
      while (nextQuantile < maxValueBins && below >= (nextQuantile * total) / maxValueBins) {
        nextQuantile++;
      }
    }
  }
  return Float32Array.from(cuts);
}

function columnMaximum(matrix: FeatureMatrix, column: number): number {
  const { values, columns } = matrix;
  let maximum = -Infinity;
  for (let at = column; at < values.length; at += columns) {
    if (values[at] > maximum) maximum = values[at];
  }
  return maximum;
}
