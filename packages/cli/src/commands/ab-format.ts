import { experiment } from '@gfr/core';

const metricLabels: Record<experiment.ExperimentMetric, string> = {
  ctr: 'CTR',
  cvr: 'CVR (per click)',
  conversions_per_user: 'conversions/user',
  revenue_per_user: 'revenue/user',
};

/**
 * The report as a person reads it: the arms with their metrics, every comparison with its
 * relative lift, fixed 95 % interval, always-valid interval and the p-value of the same
 * relative test (so p < alpha exactly when the fixed interval excludes 0), the sample-ratio
 * verdict and the notes.
 */
export function formatExperimentReport(report: experiment.ExperimentReport): string {
  const confidence = `${Math.round((1 - report.alpha) * 100)} %`;
  const lines = [
    `experiment ${report.experiment}: ${report.period.days} days of exposures and outcomes from ` +
      `${report.period.start ?? '—'}, ` +
      `control ${report.control}, attribution window ${report.attribution_window_hours} h`,
    '',
    [
      'variant'.padEnd(14),
      'share'.padStart(7),
      'users'.padStart(8),
      'impressions'.padStart(12),
      'clicks'.padStart(8),
      'purchases'.padStart(10),
      'CTR'.padStart(8),
      'CVR'.padStart(8),
      'conv/user'.padStart(10),
      'rev/user'.padStart(9),
    ].join(' '),
    ...report.variants.map((variant) =>
      [
        variant.variant.padEnd(14),
        percent(variant.users / Math.max(1, totalUsers(report)), 1).padStart(7),
        String(variant.users).padStart(8),
        String(variant.impressions).padStart(12),
        String(variant.clicks).padStart(8),
        String(variant.purchases).padStart(10),
        percent(variant.metrics.ctr, 2).padStart(8),
        percent(variant.metrics.cvr, 2).padStart(8),
        fixed(variant.metrics.conversions_per_user, 4).padStart(10),
        fixed(variant.metrics.revenue_per_user, 2).padStart(9),
      ].join(' '),
    ),
    '',
    [
      'metric'.padEnd(18),
      'treatment'.padEnd(12),
      'lift'.padStart(8),
      `${confidence} interval`.padStart(20),
      'always-valid'.padStart(20),
      'p (lift)'.padStart(8),
      ' ',
    ].join(' '),
    ...report.comparisons.map((comparison) =>
      [
        metricLabels[comparison.metric].padEnd(18),
        comparison.treatment.padEnd(12),
        percent(comparison.relative?.estimate ?? null, 2, true).padStart(8),
        range(comparison.relative).padStart(20),
        range(comparison.sequential?.relative ?? null).padStart(20),
        (comparison.relative_p_value === null
          ? '—'
          : comparison.relative_p_value.toPrecision(2)
        ).padStart(8),
        (comparison.significant ? '*' : ' ') + (comparison.cuped ? ' cuped' : ''),
      ].join(' '),
    ),
    '',
    `sample ratio: χ² ${report.sample_ratio.chi_square.toFixed(2)} on ${report.sample_ratio.degrees_of_freedom} df, ` +
      `p = ${report.sample_ratio.p_value.toPrecision(3)}: ` +
      (report.sample_ratio.mismatch ? 'MISMATCH (p < 0.001)' : 'consistent with the design'),
    `outcomes: ${report.data_quality.attributed_outcomes} attributed, ` +
      `${report.data_quality.unattributed_outcomes} unattributed, ` +
      `${report.data_quality.outside_window_outcomes} outside the window; ` +
      `${report.data_quality.malformed_lines} malformed lines`,
    ...(report.comparisons.some((comparison) => comparison.significant)
      ? [
          '* the always-valid interval of the difference excludes 0: significant however often ' +
            'the results were read',
        ]
      : []),
    ...report.notes.map((note) => `note: ${note}`),
  ];
  return lines.join('\n');
}

function totalUsers(report: experiment.ExperimentReport): number {
  return report.variants.reduce((sum, variant) => sum + variant.users, 0);
}

function percent(value: number | null, digits: number, signed = false): string {
  if (value === null || !Number.isFinite(value)) return '—';
  const text = `${(value * 100).toFixed(digits)}%`;
  return signed && value > 0 ? `+${text}` : text;
}

function fixed(value: number | null, digits: number): string {
  return value === null || !Number.isFinite(value) ? '—' : value.toFixed(digits);
}

function range(interval: experiment.EstimateInterval | null): string {
  if (!interval) return '—';
  return `[${percent(interval.lower, 2, true)}, ${percent(interval.upper, 2, true)}]`;
}
