import { Bar, barChart } from './bar-charts';
import { ReportPage } from './html-page';
import { DriftReportInput } from './report-input';
import { formatNumber } from './training-page';

/**
 * The page of a drift check (gfr drift, the drift-check handler): the verdict, PSI and
 * Jensen–Shannon distance per feature against their thresholds, the reference (training)
 * against the current distribution of each drifted feature, and prior drift of the predicted
 * rates when the report carries it.
 */

/** Bin shares of one feature as a drift report may carry them (see {@link distributionOf}). */
export interface FeatureDistributionComparison {
  /** Bin labels, e.g. `[0.5, 1.2)` or `missing`. */
  bins: string[];
  /** Share of the training rows per bin. */
  reference: number[];
  /** Share of the checked window's rows per bin. */
  current: number[];
}

/** Prior drift of one head as a drift report may carry it. */
interface HeadPriorDrift {
  head: string;
  training_prior: number | null;
  mean_predicted: number | null;
  relative_shift: number | null;
  observed_rate: number | null;
  items: number;
  judged: boolean;
  drifted: boolean;
}

/** Distributions drawn when no feature drifted: the most shifted ones, for a look. */
const closestToDriftShown = 2;

/** Most distributions drawn: beyond a dozen a page stops being read; the table lists all. */
const mostDistributionsShown = 12;

/** Builds the drift page of a checked drift report. */
export function driftPage(report: DriftReportInput): ReportPage {
  const captureFiles = numberField(report, 'capture_files');
  const page = new ReportPage(
    `Drift check — model ${report.model_version}`,
    [
      `${report.requests} requests`,
      `${report.candidates} candidates`,
      captureFiles === null ? '' : `${captureFiles} capture files`,
    ]
      .filter(Boolean)
      .join(' · '),
  );

  const judged = report.features.filter((feature) => feature.judged);
  const driftedHeads = priorDriftHeads(report).filter((head) => head.drifted);
  if (driftedHeads.length > 0) {
    page.banner(
      `Prior drift in ${driftedHeads.map((head) => head.head).join(', ')}: the mean prediction ` +
        'moved away from the training prior',
      'bad',
    );
  }
  if (report.drifted_features.length > 0) {
    page.banner(
      `Drift in ${report.drifted_features.length} of ${report.features.length} features: ` +
        report.drifted_features.join(', '),
      'bad',
    );
  } else if (judged.length === 0) {
    page.banner(
      `Too few observations to judge any feature (${report.candidates} candidates from ` +
        `${report.requests} requests; at least ${report.thresholds.minimumRows} needed): ` +
        'distances are shown, no verdict is given',
      'neutral',
    );
  } else {
    page.banner(`No feature drifted beyond the thresholds (${judged.length} judged)`, 'good');
  }

  page.table(
    [
      'requests',
      'candidates',
      'unreadable requests',
      'capture files',
      'malformed lines',
      'PSI threshold',
      'JS threshold',
      'fewest observations',
    ],
    [
      [
        report.requests,
        report.candidates,
        report.unreadable_requests,
        captureFiles,
        numberField(report, 'malformed_capture_lines'),
        report.thresholds.psi,
        report.thresholds.jensenShannon,
        report.thresholds.minimumRows,
      ],
    ],
  );

  page.heading('Drift per feature');
  if (report.features.length === 0) {
    page.paragraph('The report lists no feature.', 'note');
    return page;
  }
  const verdict = (feature: DriftReportInput['features'][number]) =>
    !feature.judged ? 'not judged' : feature.drifted ? 'drifted' : 'within thresholds';
  const bars = (value: (feature: DriftReportInput['features'][number]) => number): Bar[] =>
    report.features.map((feature) => ({
      category: feature.feature,
      value: value(feature),
      series: verdict(feature),
    }));
  page.startRow();
  page.chart(
    'Population stability index',
    barChart(
      bars((feature) => feature.psi),
      {
        categoryTitle: 'feature',
        valueTitle: 'PSI',
        seriesTitle: 'verdict',
        horizontal: true,
        width: 300,
        format: '.2f',
        threshold: { value: report.thresholds.psi, label: `threshold ${report.thresholds.psi}` },
      },
    ),
    'Σ (current − reference) · ln(current / reference) over the training deciles and a ' +
      'missing bin.',
  );
  page.chart(
    'Jensen–Shannon distance',
    barChart(
      bars((feature) => feature.jensen_shannon),
      {
        categoryTitle: 'feature',
        valueTitle: 'Jensen–Shannon distance',
        seriesTitle: 'verdict',
        horizontal: true,
        width: 300,
        format: '.2f',
        threshold: {
          value: report.thresholds.jensenShannon,
          label: `threshold ${report.thresholds.jensenShannon}`,
        },
      },
    ),
    'From 0 (same distribution) to 1 (disjoint), base-2 logarithms.',
  );
  page.endRow();

  const driftedRows = new Set(
    report.features.flatMap((feature, index) => (feature.drifted ? [index] : [])),
  );
  page.table(
    [
      'feature',
      'rows',
      'observations',
      'PSI',
      'JS distance',
      'missing (training)',
      'missing (now)',
      'verdict',
    ],
    report.features.map((feature) => [
      feature.feature,
      feature.rows,
      feature.sample_size ?? feature.rows,
      formatNumber(feature.psi),
      formatNumber(feature.jensen_shannon),
      formatPercent(feature.missing_share_reference),
      formatPercent(feature.missing_share_current),
      verdict(feature),
    ]),
    driftedRows,
  );

  addDistributions(page, report);
  addPriorDrift(page, report);
  return page;
}

function addDistributions(page: ReportPage, report: DriftReportInput): void {
  const byPsi = [...report.features].sort((a, b) => b.psi - a.psi);
  const drifted = byPsi.filter((feature) => feature.drifted);
  const shown =
    drifted.length > 0
      ? drifted.slice(0, mostDistributionsShown)
      : byPsi.filter((feature) => feature.judged).slice(0, closestToDriftShown);
  page.heading(
    drifted.length > 0
      ? 'Reference against current distribution of the drifted features'
      : 'Reference against current distribution of the most shifted features',
  );
  const withBins = shown.flatMap((feature) => {
    const distribution = distributionOf(feature);
    return distribution ? [{ feature, distribution }] : [];
  });
  if (shown.length === 0) {
    page.paragraph('No feature was judged, so none is shown.', 'note');
    return;
  }
  if (withBins.length === 0) {
    page.paragraph(
      'This drift report carries no per-bin shares (features[].distribution), so the ' +
        'distributions cannot be drawn; the missing shares are in the table above.',
      'note',
    );
    return;
  }
  if (drifted.length > shown.length) {
    page.paragraph(
      `The ${shown.length} most drifted by PSI of ${drifted.length}; all are in the table above.`,
      'note',
    );
  }
  page.startRow();
  for (const { feature, distribution } of withBins) {
    page.chart(
      `${feature.feature} (PSI ${formatNumber(feature.psi)})`,
      barChart(
        distribution.bins.flatMap((bin, index) => [
          { category: bin, value: distribution.reference[index], series: 'reference' },
          { category: bin, value: distribution.current[index], series: 'current' },
        ]),
        { categoryTitle: 'bin', valueTitle: 'share of rows', seriesTitle: 'window', format: '.0%' },
      ),
      'Reference: the training rows (bins at training deciles); current: the checked window.',
    );
  }
  page.endRow();
}

/**
 * The per-bin shares of a feature, when the report carries them as
 * `distribution: { bins, reference, current }` with three arrays of one length.
 *
 * Known shortcoming: the drift statistics (`featureDrift` in @gfr/core) do not write these
 * shares yet, so today's drift reports get a note in place of the distribution charts.
 */
export function distributionOf(feature: object): FeatureDistributionComparison | null {
  const candidate = (feature as { distribution?: unknown }).distribution;
  if (typeof candidate !== 'object' || candidate === null) return null;
  const { bins, reference, current } = candidate as Record<string, unknown>;
  const isNumbers = (value: unknown): value is number[] =>
    Array.isArray(value) && value.every((item) => typeof item === 'number');
  if (!Array.isArray(bins) || !isNumbers(reference) || !isNumbers(current)) return null;
  if (reference.length !== bins.length || current.length !== bins.length) return null;
  return { bins: bins.map(String), reference, current };
}

function addPriorDrift(page: ReportPage, report: DriftReportInput): void {
  const heads = priorDriftHeads(report);
  if (heads.length === 0) return;

  page.heading('Prior drift: predicted against training and observed rates');
  page.table(
    [
      'head',
      'served items',
      'training prior',
      'mean predicted',
      'relative shift',
      'observed rate',
      'verdict',
    ],
    heads.map((head) => [
      head.head,
      head.items,
      formatNumber(head.training_prior),
      formatNumber(head.mean_predicted),
      head.relative_shift === null ? null : formatPercent(head.relative_shift),
      formatNumber(head.observed_rate),
      !head.judged ? 'not judged' : head.drifted ? 'drifted' : 'within threshold',
    ]),
    new Set(heads.flatMap((head, index) => (head.drifted ? [index] : []))),
  );
  const bars = heads.flatMap((head) =>
    (
      [
        ['training prior', head.training_prior],
        ['mean predicted', head.mean_predicted],
        ['observed rate', head.observed_rate],
      ] as const
    ).flatMap(([series, value]) =>
      value === null ? [] : [{ category: head.head, value, series }],
    ),
  );
  if (bars.length > 0) {
    page.chart(
      'Rates per head',
      barChart(bars, {
        categoryTitle: 'head',
        valueTitle: 'rate',
        seriesTitle: 'rate',
        format: '.3~%',
      }),
      'A mean prediction far from the training prior means the served population or the ' +
        'model moved.',
    );
  }
}

/** The heads of a prior-drift section, wherever in the report it is (`prior_drift`, `prior`). */
function priorDriftHeads(report: DriftReportInput): HeadPriorDrift[] {
  for (const value of Object.values(report)) {
    const heads = (value as { heads?: unknown } | null)?.heads;
    if (!Array.isArray(heads)) continue;
    return heads.filter(
      (head): head is HeadPriorDrift =>
        typeof head === 'object' && head !== null && typeof head.head === 'string',
    );
  }
  return [];
}

function numberField(report: object, key: string): number | null {
  const value = (report as Record<string, unknown>)[key];
  return typeof value === 'number' ? value : null;
}

function formatPercent(share: number): string {
  return `${(share * 100).toFixed(1)} %`;
}
