import { EstimateRow, estimateChart } from './bar-charts';
import { IntervalPoint, intervalSeriesChart, shareSeriesChart } from './line-charts';
import { ReportPage } from './html-page';
import { ExperimentReportInput } from './report-input';
import { formatNumber } from './training-page';

/**
 * The page of an A/B experiment (gfr ab analyze): the sample-ratio verdict first (a mismatch
 * voids every other number), each variant's metrics, the lifts with fixed-horizon and
 * always-valid intervals, and day by day the lift with its always-valid interval and the share
 * of users per variant.
 */

const metricTitles: Record<string, string> = {
  ctr: 'CTR (clicks ÷ impressions)',
  cvr: 'CVR (purchases ÷ clicks)',
  conversions_per_user: 'purchases per user',
  revenue_per_user: 'revenue per user',
};

const metricColumnTitles: Record<string, string> = {
  ctr: 'CTR',
  cvr: 'CVR',
  conversions_per_user: 'purchases / user',
  revenue_per_user: 'revenue / user',
};

/** Builds the experiment page of a checked experiment report. */
export function experimentPage(report: ExperimentReportInput): ReportPage {
  const confidence = `${Math.round((1 - report.alpha) * 100)} %`;
  const period =
    report.period.start && report.period.end
      ? `${report.period.start.slice(0, 10)} to ${report.period.end.slice(0, 10)} ` +
        `(${report.period.days} days)`
      : 'no exposures';
  const page = new ReportPage(
    `Experiment ${report.experiment}`,
    `${period} · control: ${report.control} · ${confidence} intervals · ` +
      `attribution window ${report.attribution_window_hours} h`,
  );

  const srm = report.sample_ratio;
  if (srm.mismatch) {
    page.banner(
      `Sample ratio mismatch (χ² ${srm.chi_square.toFixed(1)}, ` +
        `p = ${srm.p_value.toExponential(2)} ` +
        `< ${srm.threshold}): the split is not what was configured; do not trust the lifts ` +
        'until the cause is found',
      'bad',
    );
  } else {
    page.banner(
      `Sample ratio as configured (p = ${formatNumber(srm.p_value)}); ` +
        `${report.comparisons.filter((comparison) => comparison.significant).length} of ` +
        `${report.comparisons.length} comparisons significant by the always-valid interval ` +
        'of the difference',
      'good',
    );
  }

  page.heading('Variants');
  const metricKeys = Object.keys(metricTitles);
  page.table(
    [
      'variant',
      'expected share',
      'users',
      'exposures',
      'impressions',
      'clicks',
      'purchases',
      'revenue',
      ...metricKeys.map((key) => metricColumnTitles[key]),
    ],
    report.variants.map((variant) => [
      variant.variant,
      percent(variant.expected_share),
      variant.users,
      variant.exposures,
      variant.impressions,
      variant.clicks,
      variant.purchases,
      variant.revenue.toFixed(2),
      ...metricKeys.map((key) => formatNumber(variant.metrics[key])),
    ]),
  );

  page.heading('Lifts against the control');
  page.table(
    [
      'metric',
      'treatment',
      'control',
      'treatment value',
      'relative lift',
      `${confidence} interval`,
      'always-valid interval',
      'p-value of the lift',
      'significant',
    ],
    report.comparisons.map((comparison) => [
      comparison.metric,
      comparison.treatment,
      formatNumber(comparison.control_value),
      formatNumber(comparison.treatment_value),
      comparison.relative ? percent(comparison.relative.estimate) : null,
      comparison.relative ? range(comparison.relative) : null,
      comparison.sequential?.relative ? range(comparison.sequential.relative) : null,
      formatNumber(comparison.relative_p_value ?? null),
      comparison.significant ? 'yes' : 'no',
    ]),
    new Set(
      report.comparisons.flatMap((comparison, index) => (comparison.significant ? [index] : [])),
    ),
  );
  const estimates: EstimateRow[] = report.comparisons.flatMap((comparison) => {
    const category = `${comparison.metric} · ${comparison.treatment}`;
    const rows: EstimateRow[] = [];
    if (comparison.relative) {
      rows.push({ category, series: `fixed-horizon ${confidence}`, ...comparison.relative });
    }
    if (comparison.sequential?.relative) {
      rows.push({ category, series: 'always-valid', ...comparison.sequential.relative });
    }
    return rows;
  });
  if (estimates.length > 0) {
    page.chart(
      'Relative lift with its intervals',
      estimateChart(estimates, {
        categoryTitle: 'metric · treatment',
        valueTitle: 'relative lift',
        seriesTitle: 'interval',
        format: '.1%',
      }),
      'The always-valid interval stays valid however often the experiment was looked at; ' +
        'it is wider.',
    );
  }

  page.heading('Day by day');
  page.startRow();
  for (const metric of [...new Set(report.comparisons.map((comparison) => comparison.metric))]) {
    const points: IntervalPoint[] = report.daily.flatMap((day) =>
      day.comparisons
        .filter((comparison) => comparison.metric === metric && comparison.relative)
        .map((comparison) => ({
          series: comparison.treatment,
          day: day.day,
          ...comparison.relative!,
        })),
    );
    if (points.length === 0) continue;
    page.chart(
      `Lift in ${metricTitles[metric] ?? metric}`,
      intervalSeriesChart(points, {
        yTitle: 'relative lift (cumulative)',
        seriesTitle: 'treatment',
        reference: 0,
        format: '.1%',
      }),
      'Cumulative to the end of each day; the band is the always-valid interval.',
    );
  }
  const shares = report.daily.flatMap((day) =>
    Object.entries(day.sample_ratio.observed_share).map(([series, share]) => ({
      series,
      day: day.day,
      share,
      expected: srm.expected_share[series] ?? Number.NaN,
      p_value: day.sample_ratio.p_value,
    })),
  );
  if (shares.length > 0) {
    page.chart(
      'Sample ratio',
      shareSeriesChart(shares, { seriesTitle: 'variant' }),
      'Share of exposed users per variant so far (solid) against the configured share (dashed).',
    );
  }
  page.endRow();

  const quality = report.data_quality;
  page.heading('Data');
  page.table(
    [
      'exposure records',
      'outcome records',
      'malformed lines',
      'attributed outcomes',
      'unattributed',
      'outside window',
      'users in several variants',
    ],
    [
      [
        quality.exposure_records,
        quality.outcome_records,
        quality.malformed_lines,
        quality.attributed_outcomes,
        quality.unattributed_outcomes,
        quality.outside_window_outcomes,
        quality.users_in_several_variants,
      ],
    ],
  );
  if (report.notes.length > 0) {
    page.heading('Notes');
    page.list(report.notes);
  }
  return page;
}

function percent(share: number): string {
  return `${(share * 100).toFixed(2)} %`;
}

function range(interval: { lower: number; upper: number }): string {
  return `${percent(interval.lower)} to ${percent(interval.upper)}`;
}
