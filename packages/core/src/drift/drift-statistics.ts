import { InvalidArgumentError } from '../errors';
import { FeatureDistribution, binShares } from './feature-distribution';

/**
 * Distances between a feature's training distribution (kept in the model artifact) and the
 * distribution the endpoint sees. Both are effect sizes, not p-values: with thousands of rows a
 * test would flag every feature, while these stay put unless the distribution really moves.
 */

/** Floor applied to bin shares before taking logarithms: an empty bin counts as 0.01 %. */
export const shareFloor = 1e-4;

/**
 * Population stability index Σ (a − e) · ln(a / e) over shared bins, with actual shares `a` and
 * expected (training) shares `e`, each floored at {@link shareFloor}. 0 means identical; 0.1 is
 * the usual "moderate shift" line and 0.25 "major".
 */
export function populationStabilityIndex(expected: number[], actual: number[]): number {
  requireSameBins(expected, actual);
  let index = 0;
  for (let bin = 0; bin < expected.length; bin++) {
    const e = Math.max(expected[bin], shareFloor);
    const a = Math.max(actual[bin], shareFloor);
    index += (a - e) * Math.log(a / e);
  }
  return index;
}

/**
 * Jensen–Shannon distance: the square root of the Jensen–Shannon divergence with base-2
 * logarithms, so it lies in [0, 1] (0 identical, 1 disjoint). Bins empty in both are skipped.
 */
export function jensenShannonDistance(p: number[], q: number[]): number {
  requireSameBins(p, q);
  const pTotal = sum(p);
  const qTotal = sum(q);
  let divergence = 0;
  for (let bin = 0; bin < p.length; bin++) {
    const pi = p[bin] / pTotal;
    const qi = q[bin] / qTotal;
    const mi = (pi + qi) / 2;
    if (pi > 0) divergence += 0.5 * pi * Math.log2(pi / mi);
    if (qi > 0) divergence += 0.5 * qi * Math.log2(qi / mi);
  }
  return Math.sqrt(Math.max(0, Math.min(1, divergence)));
}

/** Thresholds of {@link featureDrift}; every field has a default. */
export interface DriftThresholds {
  /** PSI at or above which a feature drifted (default 0.2). */
  psi: number;
  /** Jensen–Shannon distance at or above which a feature drifted (default 0.1). */
  jensenShannon: number;
  /**
   * Fewest independent current observations to judge at all (default 200): rows, or requests
   * for a feature that is the same for every candidate of a request (see
   * {@link FeatureDrift.sample_size}), so a handful of requests never alarms.
   */
  minimumRows: number;
}

/** Default drift thresholds. */
export const defaultDriftThresholds: DriftThresholds = {
  psi: 0.2,
  jensenShannon: 0.1,
  minimumRows: 200,
};

/** How one feature moved between training and now. */
export interface FeatureDrift {
  feature: string;
  rows: number;
  /**
   * Independent observations behind the current distribution, judged against `minimumRows`:
   * the rows, or fewer when rows repeat one value (a user's features repeat over the
   * candidates of one request, so there they are the requests).
   */
  sample_size: number;
  psi: number;
  jensen_shannon: number;
  missing_share_reference: number;
  missing_share_current: number;
  /** True when either distance crossed its threshold on enough rows. */
  drifted: boolean;
  /** False when the sample size is below `minimumRows`: the distances are then only shown. */
  judged: boolean;
  /** Shares per bin of the training rows and of the current rows, the missing bin last. */
  distribution: { bins: string[]; reference: number[]; current: number[] };
}

/**
 * Compares current values of one feature (NaN = missing) with its training distribution. The
 * bins are the artifact's (training deciles, or one per category code) plus one for missing
 * values, so a feature that suddenly goes missing drifts too. `sampleSize` is the number of
 * independent observations among the values (default: every value is one).
 */
export function featureDrift(
  reference: FeatureDistribution,
  currentValues: ArrayLike<number>,
  thresholds: DriftThresholds = defaultDriftThresholds,
  sampleSize: number = currentValues.length,
): FeatureDrift {
  const present: number[] = [];
  for (let row = 0; row < currentValues.length; row++) {
    if (!Number.isNaN(currentValues[row])) present.push(currentValues[row]);
  }
  present.sort((a, b) => a - b);
  const rows = currentValues.length;
  const currentMissing = rows === 0 ? 0 : 1 - present.length / rows;

  const withMissing = (shares: number[], missing: number) => [
    ...shares.map((share) => share * (1 - missing)),
    missing,
  ];
  const expected = withMissing(reference.shares, reference.missingShare);
  const actual = withMissing(binShares(present, reference.edges, reference.kind), currentMissing);
  const psi = populationStabilityIndex(expected, actual);
  const jensenShannon = jensenShannonDistance(expected, actual);
  const judged = sampleSize >= thresholds.minimumRows;

  return {
    feature: reference.name,
    rows,
    sample_size: sampleSize,
    psi,
    jensen_shannon: jensenShannon,
    missing_share_reference: reference.missingShare,
    missing_share_current: currentMissing,
    drifted: judged && (psi >= thresholds.psi || jensenShannon >= thresholds.jensenShannon),
    judged,
    distribution: { bins: binLabels(reference), reference: expected, current: actual },
  };
}

/**
 * Labels of a distribution's bins, the missing bin last: `< 1`, `[1, 4)`, `≥ 4`, `missing` for
 * numeric features, `code 3` for categorical ones; edges to 3 significant digits.
 */
export function binLabels(distribution: FeatureDistribution): string[] {
  const short = (value: number) => String(Number(value.toPrecision(3)));
  const { edges } = distribution;
  const labels =
    distribution.kind === 'categorical'
      ? edges.map((code) => `code ${short(code)}`)
      : edges.length === 0
        ? ['all']
        : [
            `< ${short(edges[0])}`,
            ...edges.slice(1).map((edge, index) => `[${short(edges[index])}, ${short(edge)})`),
            `≥ ${short(edges[edges.length - 1])}`,
          ];
  return [...labels, 'missing'];
}

function requireSameBins(a: number[], b: number[]): void {
  if (a.length !== b.length || a.length === 0) {
    throw new InvalidArgumentError(
      `distributions must have the same, non-zero number of bins (got ${a.length} and ${b.length})`,
    );
  }
}

function sum(values: number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
