import { barChart, histogramChart } from './bar-charts';
import { curveChart } from './line-charts';
import { Cell, ReportPage } from './html-page';
import { DiagnosticsInput, TrainingReportInput } from './report-input';

/**
 * The page of a training run (gfr train, gfr quickstart) or of an evaluation (gfr evaluate):
 * the headline metrics against the baselines, then per head the curves that decide whether the
 * model is worth shipping — ROC and precision-recall against the baselines, reliability, score
 * distributions by label, feature importance and metrics per candidate channel.
 */

/** What each head predicts, for headings. */
const headTitles: Record<string, string> = {
  ctr: 'pCTR — probability of a click',
  cvr: 'pCVR — probability of a purchase after the click',
};

const metricColumns = [
  ['auc', 'ROC-AUC'],
  ['pr_auc', 'PR-AUC'],
  ['logloss', 'log loss'],
  ['ne', 'NE'],
  ['brier', 'Brier'],
  ['gauc', 'GAUC'],
  ['ece', 'ECE'],
  ['calibration_ratio', 'calibration ratio'],
] as const;

/** Features shown in the importance chart; the rest are in report.json. */
const importanceFeatures = 20;

/** Builds the training page of a checked training report. */
export function trainingPage(report: TrainingReportInput): ReportPage {
  const created = report.created_at ? `trained ${report.created_at.slice(0, 16)} UTC` : '';
  const source = typeof report.data?.source === 'string' ? `data: ${report.data.source}` : '';
  const page = new ReportPage(
    report.evaluated_part
      ? `Evaluation on the ${report.evaluated_part} part — model ${report.model_version}`
      : `Training report — model ${report.model_version}`,
    [created, source, report.artifact ? `artifact ${report.artifact}` : '']
      .filter(Boolean)
      .join(' · '),
  );

  page.heading('Headline metrics on the test days');
  for (const [head, model] of Object.entries(report.models)) {
    page.heading(headTitles[head] ?? head, 3);
    const scorers = [['model', model.test], ...Object.entries(model.baselines ?? {})] as const;
    page.table(
      ['scorer', ...metricColumns.map(([, title]) => title), 'rows', 'positives'],
      scorers.map(([name, metrics]) => [
        name,
        ...metricColumns.map(([key]) => formatNumber(metrics[key])),
        metrics.rows,
        metrics.positives,
      ]),
      new Set([0]),
    );
  }
  if (report.ranking) {
    const ranking = report.ranking;
    page.heading('Ranked test feeds (NDCG@10)', 3);
    page.table(
      ['ranking by', 'NDCG@10'],
      [
        [ranking.score ?? 'model', formatNumber(ranking.ndcg_at_10)],
        ['pCTR alone', formatNumber(ranking.ctr_only_ndcg_at_10)],
        ...Object.entries(ranking.baselines).map(([name, values]): Cell[] => [
          name,
          formatNumber(values.ndcg_at_10),
        ]),
      ],
      new Set([0]),
    );
    page.paragraph(`${ranking.lists} feeds of the test days were re-ranked.`, 'note');
  }
  if (report.split) addSplit(page, report.split);

  for (const [head, model] of Object.entries(report.models)) {
    page.heading(headTitles[head] ?? head);
    if (!model.diagnostics) {
      page.paragraph(
        'This report holds no curve data (it was written by an older gfr); retrain to see them.',
        'note',
      );
      continue;
    }
    if (model.test.positives === 0 || model.test.positives === model.test.rows) {
      page.paragraph('The test days hold one class only: there is no curve to draw.', 'note');
      continue;
    }
    const basePositiveRate = model.test.positives / model.test.rows;
    addHeadCharts(page, model.diagnostics, basePositiveRate);
  }

  if (report.notes && report.notes.length > 0) {
    page.heading('Notes');
    page.list(report.notes);
  }
  return page;
}

function addSplit(page: ReportPage, split: NonNullable<TrainingReportInput['split']>): void {
  page.heading('Time split', 3);
  page.table(
    ['part', 'from', 'to', 'pCTR examples', 'clicks', 'pCVR examples'],
    (['train', 'validation', 'test'] as const).map((part) => [
      part,
      split[part].start?.slice(0, 16) ?? null,
      split[part].end?.slice(0, 16) ?? null,
      split[part].ctr_rows,
      split[part].ctr_positives,
      split[part].cvr_rows,
    ]),
  );
}

function addHeadCharts(page: ReportPage, diagnostics: DiagnosticsInput, baseRate: number): void {
  page.startRow();
  page.chart(
    'ROC curve',
    curveChart(
      Object.entries(diagnostics.roc).flatMap(([series, points]) =>
        points.map((point) => ({ series, x: point.fpr, y: point.tpr })),
      ),
      {
        xTitle: 'false-positive rate',
        yTitle: 'true-positive rate',
        seriesTitle: 'scorer',
        reference: { diagonal: true },
      },
    ),
    'Higher and further left is better; the dashed diagonal is a random order.',
  );
  const precisionRecall = Object.entries(diagnostics.precision_recall).flatMap(([series, points]) =>
    points.map((point) => ({ series, x: point.recall, y: point.precision })),
  );
  // At purchase-scale base rates precision stays near 0: a fixed [0, 1] axis would flatten it.
  const highestPrecision = Math.max(baseRate, ...precisionRecall.map((point) => point.y));
  page.chart(
    'Precision-recall curve',
    curveChart(precisionRecall, {
      xTitle: 'recall',
      yTitle: 'precision',
      seriesTitle: 'scorer',
      interpolate: 'step-before',
      reference: { y: baseRate, label: `base rate ${formatNumber(baseRate)}` },
      yDomain: [0, Math.min(1, 1.05 * highestPrecision)],
    }),
    `The dashed line is the base rate (${formatNumber(baseRate)}), what a random order reaches.`,
  );
  page.endRow();

  page.startRow();
  const reliability = Object.entries(diagnostics.reliability).flatMap(([series, bins]) =>
    bins.map((bin) => ({ series, x: bin.mean_prediction, y: bin.observed_rate })),
  );
  const highest = Math.min(1, 1.05 * Math.max(1e-6, ...reliability.flatMap((p) => [p.x, p.y])));
  page.chart(
    'Reliability diagram',
    curveChart(reliability, {
      xTitle: 'mean predicted probability',
      yTitle: 'observed rate',
      seriesTitle: 'scorer',
      reference: { diagonal: true },
      xDomain: [0, highest],
      yDomain: [0, highest],
      points: true,
    }),
    'Equal-mass bins (the ones ECE is computed over); on the diagonal means calibrated.',
  );
  page.chart(
    'Score distribution by label',
    histogramChart(scoreShares(diagnostics.score_histogram), {
      xTitle: 'calibrated predicted probability',
      seriesTitle: 'label',
    }),
    'Share of each label\u2019s test rows per bin: the less the two overlap, the better the ' +
      'model separates them.',
  );
  page.endRow();

  // Features no tree splits on have no bar to show.
  const used = diagnostics.feature_importance.filter((feature) => feature.total_gain > 0);
  const features = used.length;
  const channelBars = diagnostics.channels.flatMap((channel) =>
    [['model', channel.model.auc ?? null] as const, ...Object.entries(channel.baseline_auc)]
      .filter(([, auc]) => auc !== null)
      .map(([series, auc]) => ({ category: channel.channel, value: auc!, series })),
  );
  page.startRow();
  if (features === 0) {
    page.paragraph('No tree splits on any feature.', 'note');
  } else {
    page.chart(
      `Feature importance (top ${Math.min(importanceFeatures, features)} by total gain)`,
      barChart(
        used.slice(0, importanceFeatures).map((feature) => ({
          category: feature.feature,
          value: feature.total_gain,
          series: 'model',
        })),
        {
          categoryTitle: 'feature',
          valueTitle: 'total gain (loss reduction)',
          seriesTitle: 'scorer',
          horizontal: true,
          width: 300,
          sortByValue: true,
        },
      ),
      'Summed loss reduction of every split on the feature, as XGBoost\u2019s total_gain; ' +
        'features never split on are left out.',
    );
  }
  if (channelBars.length > 0) {
    page.chart(
      'ROC-AUC per candidate channel',
      barChart(channelBars, {
        categoryTitle: 'channel',
        valueTitle: 'ROC-AUC',
        seriesTitle: 'scorer',
        format: '.2f',
        domain: [0, 1],
        threshold: { value: 0.5, label: 'random order' },
      }),
      'A channel whose test rows hold one class only has no AUC and no bar; see the table.',
    );
  }
  page.endRow();

  if (diagnostics.channels.length > 0) {
    page.table(
      ['channel', 'rows', 'positives', 'ROC-AUC', 'PR-AUC', 'log loss', 'ECE', 'calibration ratio'],
      diagnostics.channels.map((channel) => [
        channel.channel,
        channel.model.rows,
        channel.model.positives,
        formatNumber(channel.model.auc),
        formatNumber(channel.model.pr_auc),
        formatNumber(channel.model.logloss),
        formatNumber(channel.model.ece),
        formatNumber(channel.model.calibration_ratio),
      ]),
    );
  }
}

function scoreShares(histogram: DiagnosticsInput['score_histogram']) {
  const positives = histogram.reduce((sum, bin) => sum + bin.positives, 0);
  const negatives = histogram.reduce((sum, bin) => sum + bin.negatives, 0);
  return histogram.flatMap((bin) => [
    {
      series: 'negative',
      lower: bin.lower,
      upper: bin.upper,
      share: bin.negatives / (negatives || 1),
    },
    {
      series: 'positive',
      lower: bin.lower,
      upper: bin.upper,
      share: bin.positives / (positives || 1),
    },
  ]);
}

/** A metric with 4 decimals, or null (shown as a dash) when missing. */
export function formatNumber(value: number | null | undefined): string | null {
  return typeof value === 'number' && Number.isFinite(value) ? value.toFixed(4) : null;
}
