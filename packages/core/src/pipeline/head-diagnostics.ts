import {
  BinaryClassificationReport,
  binaryClassificationReport,
  classificationCurves,
  reliabilityDiagram,
  rocAuc,
  scoreHistogram,
} from '../metrics';

/**
 * What a report page plots for one head on the test days: the curves of the model and of each
 * baseline, the reliability diagram, score distributions by label, feature importance and the
 * metrics per candidate channel. Numbers are rounded to 6 significant digits, which no plot can
 * tell apart, to keep report.json small.
 */
export interface HeadDiagnostics {
  /** ROC points (false- and true-positive rate) per scorer, at most 300 each. */
  roc: Record<string, { fpr: number; tpr: number }[]>;
  /** Precision-recall points by ascending recall per scorer, at most 300 each. */
  precision_recall: Record<string, { recall: number; precision: number }[]>;
  /** Reliability diagram per scorer: 15 equal-mass bins, the bins ECE is computed over. */
  reliability: Record<string, ReliabilityPoint[]>;
  /** The model's test probabilities by label, 40 equal-width bins from 0 to the largest. */
  score_histogram: { lower: number; upper: number; positives: number; negatives: number }[];
  /** Every model feature's importance, by descending total gain. */
  feature_importance: FeatureImportance[];
  /** Metrics of the model and the baselines per candidate channel of the test rows. */
  channels: ChannelMetrics[];
}

/** One bin of a reliability diagram. */
export interface ReliabilityPoint {
  mean_prediction: number;
  observed_rate: number;
  rows: number;
}

/** Importance of one feature in a tree ensemble, as XGBoost names the kinds. */
export interface FeatureImportance {
  feature: string;
  /** Mean loss reduction of the feature's splits. */
  gain: number;
  /** Summed loss reduction of the feature's splits. */
  total_gain: number;
  /** Number of splits on the feature. */
  weight: number;
}

/** Test metrics of one candidate channel. */
export interface ChannelMetrics {
  /** The channel as logged; `unlogged` for rows whose log names none. */
  channel: string;
  /** The model's metrics on the channel's rows. */
  model: BinaryClassificationReport;
  /** ROC-AUC of each baseline on the same rows. */
  baseline_auc: Record<string, number | null>;
}

/** Inputs of {@link headDiagnostics}, row-aligned with the test part. */
export interface HeadDiagnosticsInput {
  labels: ArrayLike<number>;
  /** Candidate channel per row, null when not logged. */
  channels: readonly (string | null)[];
  /** Calibrated test predictions of the model. */
  model: ArrayLike<number>;
  /** Calibrated test predictions of each baseline. */
  baselines: Record<string, ArrayLike<number>>;
  /** The ensemble's importance of each kind, by feature name. */
  importance: {
    gain: Record<string, number>;
    total_gain: Record<string, number>;
    weight: Record<string, number>;
  };
}

/** Channel label of rows whose log names no candidate channel. */
export const unloggedChannel = 'unlogged';

/** Computes {@link HeadDiagnostics} of a head's test predictions. */
export function headDiagnostics(input: HeadDiagnosticsInput): HeadDiagnostics {
  const scorers: Record<string, ArrayLike<number>> = { model: input.model, ...input.baselines };
  const perScorer = <T>(compute: (predictions: ArrayLike<number>) => T): Record<string, T> =>
    Object.fromEntries(
      Object.entries(scorers).map(([name, predictions]) => [name, compute(predictions)]),
    );

  const curves = perScorer((predictions) => classificationCurves(input.labels, predictions));
  return {
    roc: mapValues(curves, (scorer) =>
      scorer.roc.map((point) => ({ fpr: round(point.fpr), tpr: round(point.tpr) })),
    ),
    precision_recall: mapValues(curves, (scorer) =>
      scorer.precisionRecall.map((point) => ({
        recall: round(point.recall),
        precision: round(point.precision),
      })),
    ),
    reliability: perScorer((predictions) =>
      reliabilityDiagram(input.labels, predictions).bins.map((bin) => ({
        mean_prediction: round(bin.meanPrediction),
        observed_rate: round(bin.observedRate),
        rows: bin.count,
      })),
    ),
    score_histogram: scoreHistogram(input.labels, input.model).map((bin) => ({
      ...bin,
      lower: round(bin.lower),
      upper: round(bin.upper),
    })),
    feature_importance: Object.keys(input.importance.total_gain)
      .map((feature) => ({
        feature,
        gain: round(input.importance.gain[feature] ?? 0),
        total_gain: round(input.importance.total_gain[feature]),
        weight: input.importance.weight[feature] ?? 0,
      }))
      .sort((a, b) => b.total_gain - a.total_gain),
    channels: channelMetrics(input),
  };
}

function channelMetrics(input: HeadDiagnosticsInput): ChannelMetrics[] {
  const rowsByChannel = new Map<string, number[]>();
  input.channels.forEach((channel, row) => {
    const name = channel ?? unloggedChannel;
    const rows = rowsByChannel.get(name);
    if (rows) rows.push(row);
    else rowsByChannel.set(name, [row]);
  });

  const pick = (values: ArrayLike<number>, rows: number[]) => rows.map((row) => values[row]);
  return [...rowsByChannel.entries()]
    .sort((a, b) => b[1].length - a[1].length)
    .map(([channel, rows]) => {
      const labels = pick(input.labels, rows);
      return {
        channel,
        model: binaryClassificationReport(labels, pick(input.model, rows)),
        baseline_auc: Object.fromEntries(
          Object.entries(input.baselines).map(([name, predictions]) => [
            name,
            finiteOrNull(rocAuc(labels, pick(predictions, rows))),
          ]),
        ),
      };
    });
}

function mapValues<T, U>(record: Record<string, T>, map: (value: T) => U): Record<string, U> {
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, map(value)]));
}

/** Rounds to 6 significant digits. */
function round(value: number): number {
  return Number.isFinite(value) ? Number(value.toPrecision(6)) : value;
}

function finiteOrNull(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}
