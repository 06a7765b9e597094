import { featureDefinitions } from '../features/feature-spec';

/**
 * The distribution of one model input on the training rows, kept in the model artifact so
 * that drift checks can compare what the endpoint sees against what the model learned from.
 */
export interface FeatureDistribution {
  name: string;
  kind: 'numeric' | 'categorical';
  /** Rows summarised, and the share of them where the feature was missing. */
  rows: number;
  missingShare: number;
  mean: number | null;
  standardDeviation: number | null;
  /**
   * Numeric: interior bin edges at training deciles (distinct values only); bin b holds
   * values in [edges[b−1], edges[b]). Categorical: the codes, one bin each.
   */
  edges: number[];
  /** Share of the non-missing rows in each bin (edges.length + 1 bins for numeric features). */
  shares: number[];
}

/** Bins of numeric distributions: deciles. */
export const distributionBins = 10;

/**
 * Summarises every column of a row-major matrix (NaN = missing) whose columns follow
 * {@link featureDefinitions}.
 */
export function summarizeFeatureDistributions(matrix: {
  values: Float32Array;
  rows: number;
  columns: number;
}): FeatureDistribution[] {
  return featureDefinitions.map((definition, column) => {
    const present: number[] = [];
    for (let row = 0; row < matrix.rows; row++) {
      const value = matrix.values[row * matrix.columns + column];
      if (!Number.isNaN(value)) present.push(value);
    }
    present.sort((a, b) => a - b);
    const missingShare = matrix.rows === 0 ? 0 : 1 - present.length / matrix.rows;
    const { mean, standardDeviation } = moments(present);
    const edges = definition.kind === 'categorical' ? [...new Set(present)] : decileEdges(present);
    return {
      name: definition.name,
      kind: definition.kind,
      rows: matrix.rows,
      missingShare,
      mean,
      standardDeviation,
      edges,
      shares: binShares(present, edges, definition.kind),
    };
  });
}

/** Share of `sortedValues` in each bin defined by `edges` (see {@link FeatureDistribution}). */
export function binShares(
  sortedValues: number[],
  edges: number[],
  kind: 'numeric' | 'categorical',
): number[] {
  const bins = kind === 'categorical' ? edges.length : edges.length + 1;
  const counts = new Array<number>(bins).fill(0);
  for (const value of sortedValues) {
    const bin = kind === 'categorical' ? edges.indexOf(value) : upperBound(edges, value);
    if (bin >= 0) counts[bin]++;
  }
  const total = sortedValues.length;
  return counts.map((count) => (total === 0 ? 0 : count / total));
}

function decileEdges(sorted: number[]): number[] {
  if (sorted.length === 0) return [];
  const edges: number[] = [];
  for (let bin = 1; bin < distributionBins; bin++) {
    const value = sorted[Math.floor((bin * sorted.length) / distributionBins)];
    if (value > sorted[0] && edges[edges.length - 1] !== value) edges.push(value);
  }
  return edges;
}

/** Number of edges ≤ value: the bin of `value`. */
function upperBound(edges: number[], value: number): number {
  let low = 0;
  let high = edges.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (edges[middle] <= value) low = middle + 1;
    else high = middle;
  }
  return low;
}

function moments(values: number[]) {
  if (values.length === 0) return { mean: null, standardDeviation: null };
  let sum = 0;
  for (const value of values) sum += value;
  const mean = sum / values.length;
  let squares = 0;
  for (const value of values) squares += (value - mean) ** 2;
  return { mean, standardDeviation: Math.sqrt(squares / values.length) };
}
