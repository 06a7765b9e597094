import {
  DEFAULT_LEFT_FLAG,
  EnsembleLayout,
  FEATURE_SHIFT,
  INTERNAL_NODE_FLAG,
} from './ensemble-layout';

// Module-level aliases: global lookups are slow inside jest's VM sandbox.
const { fround, abs, max, floor } = Math;
const { POSITIVE_INFINITY, NEGATIVE_INFINITY } = Number;

/** Rows of {@link coveringRows}, row-major with `numFeature` values per row. */
export interface CoveringRows {
  values: Float32Array;
  rows: number;
  /** Splits the rows pass in all (the sum of their path lengths). */
  splitsPassed: number;
}

/**
 * Rows that, between them, reach every reachable leaf of trees `firstTree` up to (not
 * including) `endTree`, hence pass every split of those trees: one row per leaf, its tested
 * features set inside the leaf's path intervals (preferring values that are not whole
 * numbers), every other feature missing. Leaves no row can reach (contradictory paths) are
 * skipped.
 *
 * Generated scoring code needs this: V8 records, per comparison in the source, which kinds of
 * number it has seen, and optimized code that meets a comparison never run before throws the
 * optimization away ("insufficient type feedback"), a latency spike on live traffic. Running
 * these rows once through the generated code before serving leaves no comparison unseen.
 */
export function coveringRows(
  layout: EnsembleLayout,
  firstTree: number,
  endTree: number,
): CoveringRows {
  const { numFeature, treeRoots, nodeFlags, nodeLeftChild, nodeValues } = layout;
  const low = new Float64Array(numFeature).fill(NEGATIVE_INFINITY);
  const high = new Float64Array(numFeature).fill(POSITIVE_INFINITY);
  // Path nodes on which a missing value would go the other way than the path does.
  const missingBlocked = new Int32Array(numFeature);
  const tested = new Int32Array(numFeature);
  const rows: Float32Array[] = [];
  let depth = 0;
  let splitsPassed = 0;

  const emitRow = () => {
    const row = new Float32Array(numFeature).fill(NaN);
    for (let feature = 0; feature < numFeature; feature++) {
      if (tested[feature] === 0) continue;
      const value = valueWithin(low[feature], high[feature]);
      if (value !== undefined) row[feature] = value;
      else if (missingBlocked[feature] > 0) return;
    }
    rows.push(row);
    splitsPassed += depth;
  };

  const visit = (node: number) => {
    const flags = nodeFlags[node];
    if ((flags & INTERNAL_NODE_FLAG) === 0) {
      emitRow();
      return;
    }
    const feature = flags >>> FEATURE_SHIFT;
    const threshold = nodeValues[node];
    const defaultLeft = (flags & DEFAULT_LEFT_FLAG) !== 0;
    const savedLow = low[feature];
    const savedHigh = high[feature];
    tested[feature]++;
    depth++;

    high[feature] = Math.min(savedHigh, threshold);
    if (!defaultLeft) missingBlocked[feature]++;
    visit(nodeLeftChild[node]);
    if (!defaultLeft) missingBlocked[feature]--;
    high[feature] = savedHigh;

    low[feature] = Math.max(savedLow, threshold);
    if (defaultLeft) missingBlocked[feature]++;
    visit(nodeLeftChild[node] + 1);
    if (defaultLeft) missingBlocked[feature]--;
    low[feature] = savedLow;

    tested[feature]--;
    depth--;
  };

  for (let tree = firstTree; tree < endTree; tree++) visit(treeRoots[tree]);
  const values = new Float32Array(rows.length * numFeature);
  rows.forEach((row, index) => values.set(row, index * numFeature));
  return { values, rows: rows.length, splitsPassed };
}

/**
 * A float32 value v with low <= v < high, preferably not a whole number (V8 would then record
 * "small integers only" for the comparisons it meets); undefined when the interval is empty.
 */
function valueWithin(low: number, high: number): number | undefined {
  if (!(low < high)) return undefined;
  const candidates: number[] = [];
  if (low === NEGATIVE_INFINITY && high === POSITIVE_INFINITY) candidates.push(0.5);
  else if (low === NEGATIVE_INFINITY) candidates.push(high - max(1, abs(high)) - 0.5);
  else if (high === POSITIVE_INFINITY) candidates.push(low + max(1, abs(low)) + 0.5);
  else candidates.push(low + (high - low) / 2, low + (high - low) / 4);
  for (const candidate of candidates) {
    const value = fround(candidate);
    if (value >= low && value < high && floor(value) !== value) return value;
  }
  for (const candidate of candidates) {
    const value = fround(candidate);
    if (value >= low && value < high) return value;
  }
  // low itself is a float32 (a threshold) and lies in the interval.
  return low;
}
