import { ascendingOrder } from './ordering';
import { requireIntegerOption, validateBinaryInputs } from './validation';

/**
 * The curves behind ROC-AUC and average precision, and score histograms by label, as points a
 * report can plot. Curves are computed exactly at every distinct score and then thinned to a
 * bounded number of points, so a report stays small whatever the number of rows.
 */

/** One point of a ROC curve: the rates of "score ≥ threshold". */
export interface RocPoint {
  /** False-positive rate in [0, 1]. */
  fpr: number;
  /** True-positive rate (recall) in [0, 1]. */
  tpr: number;
  /** The lowest score counted positive; Infinity at the curve's origin. */
  threshold: number;
}

/** One point of a precision-recall curve: precision and recall of "score ≥ threshold". */
export interface PrecisionRecallPoint {
  recall: number;
  precision: number;
  threshold: number;
}

/** Default number of points a curve is thinned to. */
export const defaultCurvePoints = 300;

/**
 * ROC curve at every distinct score (tied scores form one diagonal step, as in
 * scikit-learn's `roc_curve(drop_intermediate=False)`), from (0, 0) to (1, 1), thinned to at
 * most `maxPoints` (default 300) by {@link thinCurve}.
 *
 * @returns the points, or an empty list when either class is absent (the rates are undefined).
 */
export function rocCurve(
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
  maxPoints = defaultCurvePoints,
): RocPoint[] {
  requireIntegerOption('rocCurve', 'maxPoints', maxPoints, 2);
  const steps = thresholdSteps('rocCurve', labels, scores);
  if (steps.positives === 0 || steps.negatives === 0) return [];

  const points: RocPoint[] = [{ fpr: 0, tpr: 0, threshold: Infinity }];
  for (const step of steps.steps) {
    points.push({
      fpr: step.falsePositives / steps.negatives,
      tpr: step.truePositives / steps.positives,
      threshold: step.threshold,
    });
  }
  return thinCurve(points, maxPoints, (point) => [point.fpr, point.tpr]);
}

/**
 * Precision-recall curve at every distinct score, by descending threshold (ascending recall),
 * starting at recall 0 with the precision of the highest threshold. Average precision is the
 * step-wise area of these points (`prAuc`), so plot them as steps that rise before they run.
 * Thinned to at most `maxPoints` (default 300).
 *
 * @returns the points, or an empty list when there is no positive row.
 */
export function precisionRecallCurve(
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
  maxPoints = defaultCurvePoints,
): PrecisionRecallPoint[] {
  requireIntegerOption('precisionRecallCurve', 'maxPoints', maxPoints, 2);
  const steps = thresholdSteps('precisionRecallCurve', labels, scores);
  if (steps.positives === 0) return [];

  const points: PrecisionRecallPoint[] = [];
  for (const step of steps.steps) {
    const precision = step.truePositives / (step.truePositives + step.falsePositives);
    if (points.length === 0) points.push({ recall: 0, precision, threshold: step.threshold });
    points.push({
      recall: step.truePositives / steps.positives,
      precision,
      threshold: step.threshold,
    });
  }
  return thinCurve(points, maxPoints, (point) => [point.recall, point.precision]);
}

interface ThresholdStep {
  threshold: number;
  truePositives: number;
  falsePositives: number;
}

/** Cumulative counts of "score ≥ t" at every distinct score t, by descending t. */
function thresholdSteps(caller: string, labels: ArrayLike<number>, scores: ArrayLike<number>) {
  const rows = validateBinaryInputs(caller, labels, scores, 'scores');
  const order = ascendingOrder(scores);
  let positives = 0;
  for (let row = 0; row < rows; row++) positives += labels[row];

  const steps: ThresholdStep[] = [];
  let truePositives = 0;
  let falsePositives = 0;
  let position = rows - 1;
  while (position >= 0) {
    const threshold = scores[order[position]];
    while (position >= 0 && scores[order[position]] === threshold) {
      if (labels[order[position]] === 1) truePositives++;
      else falsePositives++;
      position--;
    }
    steps.push({ threshold, truePositives, falsePositives });
  }
  return { steps, positives, negatives: rows - positives };
}

/**
 * Keeps at most `maxPoints` of a polyline, spread evenly along its length (the sum of |Δx| and
 * |Δy|), always with its first and last point. Even spacing by length rather than by index keeps
 * the bends: a ROC curve of a million rows has most of its points on a short stretch near (1, 1).
 */
export function thinCurve<Point>(
  points: Point[],
  maxPoints: number,
  coordinates: (point: Point) => [number, number],
): Point[] {
  if (points.length <= maxPoints) return points;

  const lengths = new Float64Array(points.length);
  for (let index = 1; index < points.length; index++) {
    const [x0, y0] = coordinates(points[index - 1]);
    const [x1, y1] = coordinates(points[index]);
    lengths[index] = lengths[index - 1] + Math.abs(x1 - x0) + Math.abs(y1 - y0);
  }
  const total = lengths[points.length - 1];
  const spacing = total / (maxPoints - 1);

  const kept: Point[] = [points[0]];
  let nextLength = spacing;
  for (let index = 1; index < points.length - 1 && kept.length < maxPoints - 1; index++) {
    if (lengths[index] >= nextLength) {
      kept.push(points[index]);
      nextLength = lengths[index] + spacing;
    }
  }
  kept.push(points[points.length - 1]);
  return kept;
}

/** One bin of {@link scoreHistogram}: [lower, upper), the last bin closed. */
export interface ScoreHistogramBin {
  lower: number;
  upper: number;
  /** Rows with label 1 and with label 0 whose score falls in the bin. */
  positives: number;
  negatives: number;
}

/**
 * Histogram of probabilities by label over `bins` (default 40) equal-width bins from 0 to the
 * largest probability (they crowd near 0 at click and purchase rates, so a fixed [0, 1]
 * range would put every row in the first bins).
 *
 * @returns the bins, or an empty list for no rows.
 */
export function scoreHistogram(
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
  bins = 40,
): ScoreHistogramBin[] {
  requireIntegerOption('scoreHistogram', 'bins', bins, 1);
  const rows = validateBinaryInputs('scoreHistogram', labels, scores, 'probabilities');
  if (rows === 0) return [];

  let highest = 0;
  for (let row = 0; row < rows; row++) highest = Math.max(highest, scores[row]);
  // All-zero scores still get a range to fall in.
  const width = (highest > 0 ? highest : 1) / bins;
  const histogram: ScoreHistogramBin[] = Array.from({ length: bins }, (_, bin) => ({
    lower: bin * width,
    upper: (bin + 1) * width,
    positives: 0,
    negatives: 0,
  }));
  for (let row = 0; row < rows; row++) {
    const bin = histogram[Math.min(Math.floor(scores[row] / width), bins - 1)];
    if (labels[row] === 1) bin.positives++;
    else bin.negatives++;
  }
  return histogram;
}
