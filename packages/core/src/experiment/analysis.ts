import { JoinedExperiment, UserActivity, activityFieldCount } from './attribution';
import { chiSquareSurvival } from './distributions';
import { ArmContributions, compareArms, contributions } from './estimators';
import { InsufficientExperimentDataError } from './errors';
import { PrePeriodRecord } from './pre-period';
import {
  DailyPoint,
  ExperimentMetric,
  ExperimentReport,
  MetricComparison,
  SampleRatioCheck,
  VariantSummary,
  experimentMetrics,
} from './report';
import { defaultSequentialTuningUsers } from './sequential';

/** p-value below which the split of users counts as mismatched (GrowthBook, Eppo, Statsig). */
export const sampleRatioThreshold = 0.001;

/** Malformed lines listed by name in the report (all are counted). */
const listedMalformedLines = 100;

/** Options of {@link analyzeExperiment}. */
export interface AnalysisOptions {
  experiment: string;
  /**
   * Expected share of users per arm; null when unknown, and the SRM test then assumes an even
   * split over the arms seen (and says so in the notes).
   */
  expectedShares: Readonly<Record<string, number>> | null;
  /** Arm the others are compared with; default: `control` if present, else the first name. */
  control?: string;
  /** Significance level of all intervals and tests. Default 0.05. */
  alpha?: number;
  /** Tuning size of the confidence sequences, users. Default 5,000. */
  sequentialTuningUsers?: number;
  /** The attribution window the join used, hours (reported). */
  attributionWindowHours: number;
  /** Per-user pre-period activity for CUPED; absent: no CUPED. */
  prePeriod?: ReadonlyMap<string, PrePeriodRecord>;
  /** The report's timestamp (default: now). */
  now?: Date;
}

/** How each metric reads a user's totals [impressions, clicks, purchases, revenue]. */
const metricParts: Record<ExperimentMetric, { numerator: number; denominator: number | null }> = {
  ctr: { numerator: 1, denominator: 0 },
  cvr: { numerator: 2, denominator: 1 },
  conversions_per_user: { numerator: 2, denominator: null },
  revenue_per_user: { numerator: 3, denominator: null },
};

/**
 * Analyses a joined experiment: per arm CTR, CVR, conversions and revenue per user; every
 * treatment against the control with fixed-horizon and always-valid intervals of the absolute
 * and relative lift (optionally CUPED-adjusted); the sample-ratio χ² test; and the same
 * comparisons and split as they stood at the end of every UTC day. Throws
 * {@link InsufficientExperimentDataError} without exposures.
 */
export function analyzeExperiment(
  joined: JoinedExperiment,
  options: AnalysisOptions,
): ExperimentReport {
  if (joined.users.length === 0) {
    throw new InsufficientExperimentDataError(
      'no exposed user to analyse: the exposure log is empty',
    );
  }
  const alpha = options.alpha ?? 0.05;
  const tuningUsers = options.sequentialTuningUsers ?? defaultSequentialTuningUsers;
  const notes: string[] = [];
  const seen = [...new Set(joined.users.map((user) => user.variant))].sort();
  const expectedShares = options.expectedShares ?? evenShares(seen);
  if (!options.expectedShares) {
    notes.push('no experiment definition: the sample-ratio test assumes an even split');
  }
  const variants = [...new Set([...Object.keys(expectedShares), ...seen])];
  const control =
    options.control ?? (variants.includes('control') ? 'control' : [...variants].sort()[0]);
  if (!seen.includes(control)) {
    throw new InsufficientExperimentDataError(`the control arm "${control}" has no exposed user`);
  }
  const treatments = variants.filter((variant) => variant !== control && seen.includes(variant));
  if (treatments.length === 0) {
    throw new InsufficientExperimentDataError('only one arm has exposed users: nothing to compare');
  }

  const lastDay = joined.days - 1;
  const totals = cumulativeTotals(joined.users, lastDay);
  const covariates = options.prePeriod
    ? prePeriodCovariates(joined.users, options.prePeriod)
    : null;
  const settings = { alpha, tuningUsers };
  const armsOf = (metric: ExperimentMetric, users: number[]) =>
    armContributions(joined.users, users, totals, metric, covariates);
  const members = membersByVariant(joined.users, lastDay);

  const comparisons: MetricComparison[] = [];
  for (const treatment of treatments) {
    for (const metric of experimentMetrics) {
      const arms = [control, treatment].map((variant) =>
        armsOf(metric, members.get(variant) ?? []),
      );
      const result = compareArms(arms[0], arms[1], settings);
      comparisons.push({
        metric,
        treatment,
        control,
        control_value: finiteOrNull(arms[0].estimate),
        treatment_value: finiteOrNull(arms[1].estimate),
        absolute: result?.absolute ?? null,
        relative: result?.relative ?? null,
        sequential: result
          ? { absolute: result.sequentialAbsolute, relative: result.sequentialRelative }
          : null,
        p_value: result?.pValue ?? null,
        relative_p_value: result?.relativePValue ?? null,
        significant:
          result !== null &&
          (result.sequentialAbsolute.lower > 0 || result.sequentialAbsolute.upper < 0),
        cuped: covariates !== null && result !== null,
        variance_reduction: result?.varianceReduction ?? 0,
      });
    }
  }

  const summaries = variants.map((variant) =>
    variantSummary(
      variant,
      expectedShares[variant] ?? 0,
      joined.users,
      members.get(variant) ?? [],
      totals,
    ),
  );
  const sampleRatio = sampleRatioCheck(
    Object.fromEntries(variants.map((variant) => [variant, members.get(variant)?.length ?? 0])),
    expectedShares,
  );
  if (sampleRatio.mismatch) {
    notes.push(
      `sample ratio mismatch (χ² p = ${sampleRatio.p_value.toExponential(2)} < ${sampleRatioThreshold}): ` +
        'the split differs from the design; find the cause before trusting any lift',
    );
  }
  if (joined.usersInSeveralVariants > 0) {
    notes.push(
      `${joined.usersInSeveralVariants} users were logged under several arms and are excluded`,
    );
  }
  const daily = dailySeries(joined, control, treatments, expectedShares, covariates, settings);
  const dayLabel = (day: number) =>
    new Date((joined.startDayMs ?? 0) + day * 86_400_000).toISOString().slice(0, 10);

  return {
    schema_version: 1,
    experiment: options.experiment,
    generated_at: (options.now ?? new Date()).toISOString(),
    control,
    alpha,
    attribution_window_hours: options.attributionWindowHours,
    sequential_tuning_users: tuningUsers,
    period: {
      start:
        joined.firstExposureMs === null ? null : new Date(joined.firstExposureMs).toISOString(),
      end: joined.lastExposureMs === null ? null : new Date(joined.lastExposureMs).toISOString(),
      days: joined.days,
    },
    variants: summaries,
    comparisons,
    sample_ratio: sampleRatio,
    daily: daily.map((point, day) => ({ ...point, day: dayLabel(day) })),
    cuped: options.prePeriod
      ? {
          pre_period_users: options.prePeriod.size,
          matched_users: joined.users.filter((user) => options.prePeriod!.has(user.userId)).length,
        }
      : null,
    data_quality: {
      exposure_records: joined.exposureRecords,
      outcome_records: joined.outcomeRecords,
      malformed_lines: joined.malformed.length,
      malformed: joined.malformed.slice(0, listedMalformedLines),
      attributed_outcomes: joined.attributedOutcomes,
      unattributed_outcomes: joined.unattributedOutcomes,
      outside_window_outcomes: joined.outsideWindowOutcomes,
      users_in_several_variants: joined.usersInSeveralVariants,
    },
    notes,
  };
}

/**
 * Pearson's χ² goodness-of-fit of users per arm against the expected shares (k − 1 degrees of
 * freedom). An arm with users but no expected share is a mismatch by definition (p = 0).
 */
export function sampleRatioCheck(
  observed: Record<string, number>,
  expectedShare: Readonly<Record<string, number>>,
): SampleRatioCheck {
  const variants = Object.keys(observed);
  const total = variants.reduce((sum, variant) => sum + observed[variant], 0);
  let chiSquare = 0;
  let unexpected = false;
  for (const variant of variants) {
    const expected = (expectedShare[variant] ?? 0) * total;
    if (expected === 0) {
      if (observed[variant] > 0) unexpected = true;
      continue;
    }
    chiSquare += (observed[variant] - expected) ** 2 / expected;
  }
  const degrees = Math.max(1, variants.length - 1);
  const pValue = unexpected ? 0 : total === 0 ? 1 : chiSquareSurvival(chiSquare, degrees);
  return {
    observed,
    expected_share: { ...expectedShare },
    chi_square: unexpected ? Infinity : chiSquare,
    degrees_of_freedom: degrees,
    p_value: pValue,
    threshold: sampleRatioThreshold,
    mismatch: pValue < sampleRatioThreshold,
  };
}

function dailySeries(
  joined: JoinedExperiment,
  control: string,
  treatments: string[],
  expectedShares: Readonly<Record<string, number>>,
  covariates: Float64Array[] | null,
  settings: { alpha: number; tuningUsers: number },
): Omit<DailyPoint, 'day'>[] {
  const points: Omit<DailyPoint, 'day'>[] = [];
  const variants = Object.keys(expectedShares);
  for (let day = 0; day < joined.days; day++) {
    const totals = cumulativeTotals(joined.users, day);
    const members = membersByVariant(joined.users, day);
    const users = Object.fromEntries(
      [...new Set([...variants, ...members.keys()])].map((variant) => [
        variant,
        members.get(variant)?.length ?? 0,
      ]),
    );
    const check = sampleRatioCheck(users, expectedShares);
    const everyone = Object.values(users).reduce((sum, count) => sum + count, 0);
    const comparisons = treatments.flatMap((treatment) =>
      experimentMetrics.map((metric) => {
        const arms = [control, treatment].map((variant) =>
          armContributions(joined.users, members.get(variant) ?? [], totals, metric, covariates),
        );
        const result = compareArms(arms[0], arms[1], settings);
        return {
          metric,
          treatment,
          relative: result?.sequentialRelative ?? null,
          absolute: result?.sequentialAbsolute ?? null,
        };
      }),
    );
    points.push({
      users,
      sample_ratio: {
        observed_share: Object.fromEntries(
          Object.entries(users).map(([variant, count]) => [
            variant,
            everyone > 0 ? count / everyone : 0,
          ]),
        ),
        p_value: check.p_value,
        mismatch: check.mismatch,
      },
      comparisons,
    });
  }
  return points;
}

function evenShares(variants: string[]): Record<string, number> {
  return Object.fromEntries(variants.map((variant) => [variant, 1 / variants.length]));
}

/** Indexes of the users exposed by the end of `day`, per arm. */
function membersByVariant(users: readonly UserActivity[], day: number): Map<string, number[]> {
  const members = new Map<string, number[]>();
  users.forEach((user, index) => {
    if (user.firstDay > day) return;
    let list = members.get(user.variant);
    if (!list) members.set(user.variant, (list = []));
    list.push(index);
  });
  return members;
}

/** Every user's totals up to and including `day`, user-major [impressions, clicks, ...]. */
function cumulativeTotals(users: readonly UserActivity[], day: number): Float64Array {
  const totals = new Float64Array(users.length * activityFieldCount);
  users.forEach((user, index) => {
    for (let d = 0; d <= day; d++) {
      for (let field = 0; field < activityFieldCount; field++) {
        totals[index * activityFieldCount + field] += user.daily[d * activityFieldCount + field];
      }
    }
  });
  return totals;
}

function armContributions(
  users: readonly UserActivity[],
  members: readonly number[],
  totals: Float64Array,
  metric: ExperimentMetric,
  covariates: Float64Array[] | null,
): ArmContributions {
  const parts = metricParts[metric];
  const numerator = members.map((index) => totals[index * activityFieldCount + parts.numerator]);
  const denominator =
    parts.denominator === null
      ? null
      : members.map((index) => totals[index * activityFieldCount + parts.denominator!]);
  const arm = contributions(numerator, denominator);
  if (covariates) {
    const covariate = covariates[experimentMetrics.indexOf(metric)];
    arm.covariate = Float64Array.from(members, (index) => covariate[index]);
  }
  return arm;
}

/**
 * Per metric, each user's pre-period covariate: the metric's own pre-period value for means,
 * and for a ratio a − R⁰·b with R⁰ the pooled pre-period ratio (its linearization; the scale
 * does not matter, θ absorbs it). Users without pre-period rows get 0, their true activity.
 */
function prePeriodCovariates(
  users: readonly UserActivity[],
  prePeriod: ReadonlyMap<string, PrePeriodRecord>,
): Float64Array[] {
  const rows = users.map((user) => prePeriod.get(user.userId));
  const field = (row: PrePeriodRecord | undefined, index: number) =>
    row ? [row.impressions, row.clicks, row.purchases, row.revenue][index] : 0;
  return experimentMetrics.map((metric) => {
    const { numerator, denominator } = metricParts[metric];
    if (denominator === null) return Float64Array.from(rows, (row) => field(row, numerator));
    let numeratorSum = 0;
    let denominatorSum = 0;
    for (const row of rows) {
      numeratorSum += field(row, numerator);
      denominatorSum += field(row, denominator);
    }
    const ratio = denominatorSum > 0 ? numeratorSum / denominatorSum : 0;
    return Float64Array.from(
      rows,
      (row) => field(row, numerator) - ratio * field(row, denominator),
    );
  });
}

function variantSummary(
  variant: string,
  expectedShare: number,
  users: readonly UserActivity[],
  members: readonly number[],
  totals: Float64Array,
): VariantSummary {
  const sums = [0, 0, 0, 0];
  let exposures = 0;
  for (const index of members) {
    exposures += users[index].exposures;
    for (let field = 0; field < activityFieldCount; field++) {
      sums[field] += totals[index * activityFieldCount + field];
    }
  }
  const [impressions, clicks, purchases, revenue] = sums;
  const share = (numerator: number, denominator: number) =>
    denominator > 0 ? numerator / denominator : null;
  return {
    variant,
    expected_share: expectedShare,
    users: members.length,
    exposures,
    impressions,
    clicks,
    purchases,
    revenue,
    metrics: {
      ctr: share(clicks, impressions),
      cvr: share(purchases, clicks),
      conversions_per_user: share(purchases, members.length),
      revenue_per_user: share(revenue, members.length),
    },
  };
}

function finiteOrNull(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}
