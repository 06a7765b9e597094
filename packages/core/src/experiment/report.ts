/**
 * The experiment report `gfr ab analyze` prints with `--json` and writes as `report.json`.
 * Renderers (the HTML report page) read exactly this shape; every rate is a plain share (0.05
 * is 5 %), money is in the log's currency, and times are ISO-8601 UTC strings.
 */

/** Metrics the analysis reports for every variant. */
export const experimentMetrics = [
  'ctr',
  'cvr',
  'conversions_per_user',
  'revenue_per_user',
] as const;

/**
 * One of {@link experimentMetrics}: `ctr` clicks ÷ impressions, `cvr` purchases ÷ clicks
 * (the post-click conversion rate pCVR predicts), `conversions_per_user` purchases ÷ exposed
 * users, `revenue_per_user` revenue ÷ exposed users. The first two are ratio metrics: their
 * variance comes from the delta method over users, the unit of randomization.
 */
export type ExperimentMetric = (typeof experimentMetrics)[number];

/** An estimate with a two-sided interval at the report's confidence level. */
export interface EstimateInterval {
  estimate: number;
  lower: number;
  upper: number;
}

/** One variant's totals and metric values over its exposed users. */
export interface VariantSummary {
  variant: string;
  /** Share of users the assignment meant to send here (holdout and weights applied). */
  expected_share: number;
  /** Exposed users (the unit of analysis). */
  users: number;
  /** Exposure records (ranked feeds shown). */
  exposures: number;
  impressions: number;
  /** Attributed clicks and purchases, revenue of the attributed purchases. */
  clicks: number;
  purchases: number;
  revenue: number;
  /** Metric values; null when the denominator is 0. */
  metrics: Record<ExperimentMetric, number | null>;
}

/** One metric of one treatment against the control, at the end of the data. */
export interface MetricComparison {
  metric: ExperimentMetric;
  treatment: string;
  control: string;
  control_value: number | null;
  treatment_value: number | null;
  /** Treatment − control, with the fixed-horizon 95 % (1 − alpha) interval. */
  absolute: EstimateInterval | null;
  /** Treatment ÷ control − 1, delta-method interval. */
  relative: EstimateInterval | null;
  /** The always-valid (confidence-sequence) intervals: valid however often one looked. */
  sequential: { absolute: EstimateInterval; relative: EstimateInterval | null } | null;
  /** Two-sided p-value of the fixed-horizon z-test of no difference. */
  p_value: number | null;
  /**
   * Two-sided p-value of the relative lift's delta-method z-test, the test the `relative`
   * interval inverts (larger than `p_value` when the lift is large); null without a lift.
   */
  relative_p_value: number | null;
  /**
   * Whether the always-valid interval of the absolute difference excludes 0. The relative
   * lift's always-valid interval may still include 0 when the lift is large: the delta method
   * adds the control's variance, scaled by the lift, to the relative one.
   */
  significant: boolean;
  /** Whether CUPED adjusted these estimates with pre-period data. */
  cuped: boolean;
  /** Share of variance CUPED removed (0 when not applied). */
  variance_reduction: number;
}

/** The χ² goodness-of-fit test of observed users per variant against the expected split. */
export interface SampleRatioCheck {
  /** Users per variant. */
  observed: Record<string, number>;
  expected_share: Record<string, number>;
  chi_square: number;
  degrees_of_freedom: number;
  p_value: number;
  /** p below which the split counts as mismatched (0.001). */
  threshold: number;
  /** True when p < threshold: the experiment is invalid until the cause is found. */
  mismatch: boolean;
}

/** One comparison on one day, from all data up to the end of that day. */
export interface DailyComparison {
  metric: ExperimentMetric;
  treatment: string;
  /** Relative lift with its always-valid interval. */
  relative: EstimateInterval | null;
  /** Absolute difference with its always-valid interval. */
  absolute: EstimateInterval | null;
}

/** The state of the experiment as it looked at the end of one UTC day (cumulative). */
export interface DailyPoint {
  /** The UTC day, `YYYY-MM-DD`. */
  day: string;
  /** Exposed users so far per variant. */
  users: Record<string, number>;
  /** Share of exposed users per variant so far, and the SRM test on those counts. */
  sample_ratio: { observed_share: Record<string, number>; p_value: number; mismatch: boolean };
  comparisons: DailyComparison[];
}

/** A log line that could not be read: nothing is dropped without being listed here. */
export interface MalformedLine {
  file: string;
  /** 1-based line number. */
  line: number;
  /** The field at fault, when one is. */
  field?: string;
  reason: string;
}

/** What the join of exposures and outcomes kept and why it set things aside. */
export interface DataQuality {
  exposure_records: number;
  outcome_records: number;
  /** Lines listed in {@link malformed}; the first 100 are listed, all are counted. */
  malformed_lines: number;
  malformed: MalformedLine[];
  /** Outcomes that matched an exposure inside the attribution window. */
  attributed_outcomes: number;
  /** Outcomes with no matching exposure (unknown request or user, item not shown). */
  unattributed_outcomes: number;
  /** Outcomes that matched an exposure but fell outside the attribution window. */
  outside_window_outcomes: number;
  /** Users seen in more than one variant; they are excluded from every metric. */
  users_in_several_variants: number;
}

/** The complete report of one experiment. */
export interface ExperimentReport {
  schema_version: 1;
  experiment: string;
  generated_at: string;
  control: string;
  /** Significance level of every interval and test (0.05: 95 % intervals). */
  alpha: number;
  attribution_window_hours: number;
  /** Tuning sample size of the confidence sequences (users; where they are tightest). */
  sequential_tuning_users: number;
  /** First and last exposure, and the number of UTC days they span. */
  period: { start: string | null; end: string | null; days: number };
  variants: VariantSummary[];
  comparisons: MetricComparison[];
  sample_ratio: SampleRatioCheck;
  daily: DailyPoint[];
  /** CUPED's input: null when no pre-period data was given. */
  cuped: { pre_period_users: number; matched_users: number } | null;
  data_quality: DataQuality;
  /** Plain-language caveats (an assumed split, few users, a mismatch). */
  notes: string[];
}
