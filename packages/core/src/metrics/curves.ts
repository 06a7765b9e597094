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

/** Both curves of one scorer, from one sort of its scores. */
export interface ClassificationCurves {
  roc: RocPoint[];
  precisionRecall: PrecisionRecallPoint[];
}

/**
 * ROC curve at every distinct score (tied scores form one diagonal step, as in
 * scikit-learn's `roc_curve(drop_intermediate=False)`), from (0, 0) to (1, 1), thinned to at
 * most `maxPoints` (default 300) by {@link thinnedIndices}.
 *
 * @returns the points, or an empty list when either class is absent (the rates are undefined).
 */
export function rocCurve(
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
  maxPoints = defaultCurvePoints,
): RocPoint[] {
  return classificationCurves(labels, scores, maxPoints, 'rocCurve').roc;
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
  return classificationCurves(labels, scores, maxPoints, 'precisionRecallCurve').precisionRecall;
}

/**
 * {@link rocCurve} and {@link precisionRecallCurve} of one scorer with a single sort. Memory is
 * a few typed arrays of one entry per distinct score: 5 million rows stay well under a second
 * and a few hundred megabytes.
 */
export function classificationCurves(
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
  maxPoints = defaultCurvePoints,
  caller = 'classificationCurves',
): ClassificationCurves {
  requireIntegerOption(caller, 'maxPoints', maxPoints, 2);
  const rows = validateBinaryInputs(caller, labels, scores, 'scores');
  const order = ascendingOrder(scores);
  let positives = 0;
  for (let row = 0; row < rows; row++) positives += labels[row];
  const negatives = rows - positives;

  // Cumulative counts of "score ≥ t" at every distinct score t, by descending t.
  const thresholds = new Float64Array(rows);
  const truePositives = new Float64Array(rows);
  const falsePositives = new Float64Array(rows);
  let steps = 0;
  let positivesAbove = 0;
  let negativesAbove = 0;
  let position = rows - 1;
  while (position >= 0) {
    const threshold = scores[order[position]];
    while (position >= 0 && scores[order[position]] === threshold) {
      if (labels[order[position]] === 1) positivesAbove++;
      else negativesAbove++;
      position--;
    }
    thresholds[steps] = threshold;
    truePositives[steps] = positivesAbove;
    falsePositives[steps] = negativesAbove;
    steps++;
  }

  const roc: RocPoint[] = [];
  if (positives > 0 && negatives > 0) {
    // Point 0 is the origin, point i + 1 the step i.
    const fpr = (point: number) => (point === 0 ? 0 : falsePositives[point - 1] / negatives);
    const tpr = (point: number) => (point === 0 ? 0 : truePositives[point - 1] / positives);
    for (const point of thinnedIndices(steps + 1, maxPoints, fpr, tpr)) {
      roc.push({
        fpr: fpr(point),
        tpr: tpr(point),
        threshold: point === 0 ? Infinity : thresholds[point - 1],
      });
    }
  }

  const precisionRecall: PrecisionRecallPoint[] = [];
  if (positives > 0) {
    // Point 0 is recall 0 at the highest threshold's precision, point i + 1 the step i.
    const step = (point: number) => Math.max(0, point - 1);
    const recall = (point: number) => (point === 0 ? 0 : truePositives[point - 1] / positives);
    const precision = (point: number) =>
      truePositives[step(point)] / (truePositives[step(point)] + falsePositives[step(point)]);
    for (const point of thinnedIndices(steps + 1, maxPoints, recall, precision)) {
      precisionRecall.push({
        recall: recall(point),
        precision: precision(point),
        threshold: thresholds[step(point)],
      });
    }
  }
  return { roc, precisionRecall };
}

/**
 * Indices of at most `maxPoints` of a polyline of `count` points, spread evenly along its
 * length (the sum of |Δx| and |Δy|), always with its first and last point. Even spacing by
 * length rather than by index keeps the bends: a ROC curve of a million rows has most of its
 * points on a short stretch near (1, 1).
 */
export function thinnedIndices(
  count: number,
  maxPoints: number,
  x: (index: number) => number,
  y: (index: number) => number,
): number[] {
  if (count <= maxPoints) return Array.from({ length: count }, (_, index) => index);

  const lengths = new Float64Array(count);
  for (let index = 1; index < count; index++) {
    lengths[index] =
      lengths[index - 1] + Math.abs(x(index) - x(index - 1)) + Math.abs(y(index) - y(index - 1));
  }
  const spacing = lengths[count - 1] / (maxPoints - 1);

  const kept = [0];
  let nextLength = spacing;
  for (let index = 1; index < count - 1 && kept.length < maxPoints - 1; index++) {
    if (lengths[index] >= nextLength) {
      kept.push(index);
      nextLength = lengths[index] + spacing;
    }
  }
  kept.push(count - 1);
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
