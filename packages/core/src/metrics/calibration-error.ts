import { ascendingOrder } from './ordering';
import { MetricOptionError, requireIntegerOption, validateBinaryInputs } from './validation';

/** How predictions are grouped into bins for {@link expectedCalibrationError}. */
export const calibrationBinnings = ['equal-mass', 'equal-width'] as const;

/**
 * `equal-mass`: bins of (about) equal row count over the sorted predictions, which keeps every
 * bin populated when predictions crowd near 0 as CTRs do; `equal-width`: [0, 1] cut into equal
 * intervals, the textbook reliability diagram.
 */
export type CalibrationBinning = (typeof calibrationBinnings)[number];

/** Options of {@link expectedCalibrationError} and {@link reliabilityDiagram}. */
export interface CalibrationBinOptions {
  /** Number of bins; default 15 (10–20 is usual for CTR-scale probabilities). */
  bins?: number;
  /** Default `equal-mass`. */
  binning?: CalibrationBinning;
}

/** One bin of a reliability diagram. */
export interface ReliabilityBin {
  /** Lowest prediction the bin holds (equal-mass) or its nominal lower edge (equal-width). */
  lowerBound: number;
  /** Highest prediction the bin holds (equal-mass) or its nominal upper edge (equal-width). */
  upperBound: number;
  /** Rows in the bin. */
  count: number;
  /** Mean predicted probability of those rows. */
  meanPrediction: number;
  /** Share of those rows whose label is 1. */
  observedRate: number;
}

/** Points of a reliability diagram (mean prediction against observed rate), ready to plot. */
export interface ReliabilityDiagram {
  binning: CalibrationBinning;
  /** The requested bin count; `bins` may hold fewer (empty bins are left out). */
  requestedBins: number;
  /** Non-empty bins in ascending order of prediction. */
  bins: ReliabilityBin[];
}

/**
 * Per-bin mean prediction and observed rate. Equal-mass bins end near row i·n/bins of the
 * sorted predictions but never split equal predictions: a bin boundary inside a run of ties is
 * moved to the run's end, so the result does not depend on row order (bins may then be fewer
 * than requested). Empty equal-width bins are left out rather than reported with no mean.
 *
 * Known shortcoming: rows are unweighted here (unlike `calibrationRatio`); on negatively
 * downsampled data, correct the probabilities or evaluate on un-sampled rows first.
 */
export function reliabilityDiagram(
  labels: ArrayLike<number>,
  probabilities: ArrayLike<number>,
  options: CalibrationBinOptions = {},
): ReliabilityDiagram {
  validateBinaryInputs('reliabilityDiagram', labels, probabilities, 'probabilities');
  return reliabilityDiagramOfOrder(undefined, labels, probabilities, options, 'reliabilityDiagram');
}

/**
 * {@link reliabilityDiagram} of validated inputs; `order`, the rows by ascending probability,
 * is computed when not given and only equal-mass binning needs it.
 */
export function reliabilityDiagramOfOrder(
  order: Uint32Array | undefined,
  labels: ArrayLike<number>,
  probabilities: ArrayLike<number>,
  options: CalibrationBinOptions,
  caller: string,
): ReliabilityDiagram {
  const requestedBins = options.bins ?? 15;
  const binning = options.binning ?? 'equal-mass';
  requireIntegerOption(caller, 'bins', requestedBins, 1);
  if (!calibrationBinnings.includes(binning)) {
    throw new MetricOptionError(
      caller,
      'binning',
      binning,
      `expected one of ${calibrationBinnings.join(', ')}`,
    );
  }

  const bins =
    binning === 'equal-mass'
      ? equalMassBins(order ?? ascendingOrder(probabilities), labels, probabilities, requestedBins)
      : equalWidthBins(labels, probabilities, requestedBins);
  return { binning, requestedBins, bins };
}

function equalMassBins(
  order: Uint32Array,
  labels: ArrayLike<number>,
  probabilities: ArrayLike<number>,
  binCount: number,
): ReliabilityBin[] {
  const rows = order.length;
  const bins: ReliabilityBin[] = [];
  let start = 0;
  for (let bin = 1; bin <= binCount && start < rows; bin++) {
    let end = Math.round((rows * bin) / binCount);
    if (end <= start) continue;
    while (end < rows && probabilities[order[end]] === probabilities[order[end - 1]]) end++;

    let predictionSum = 0;
    let positives = 0;
    for (let position = start; position < end; position++) {
      predictionSum += probabilities[order[position]];
      positives += labels[order[position]];
    }
    bins.push({
      lowerBound: probabilities[order[start]],
      upperBound: probabilities[order[end - 1]],
      count: end - start,
      meanPrediction: predictionSum / (end - start),
      observedRate: positives / (end - start),
    });
    start = end;
  }
  return bins;
}

function equalWidthBins(
  labels: ArrayLike<number>,
  probabilities: ArrayLike<number>,
  binCount: number,
): ReliabilityBin[] {
  const rows = labels.length;
  const counts = new Float64Array(binCount);
  const predictionSums = new Float64Array(binCount);
  const positives = new Float64Array(binCount);
  for (let row = 0; row < rows; row++) {
    // Probability 1 belongs to the last bin, which is closed on both sides.
    const bin = Math.min(Math.floor(probabilities[row] * binCount), binCount - 1);
    counts[bin]++;
    predictionSums[bin] += probabilities[row];
    positives[bin] += labels[row];
  }

  const bins: ReliabilityBin[] = [];
  for (let bin = 0; bin < binCount; bin++) {
    if (counts[bin] === 0) continue;
    bins.push({
      lowerBound: bin / binCount,
      upperBound: (bin + 1) / binCount,
      count: counts[bin],
      meanPrediction: predictionSums[bin] / counts[bin],
      observedRate: positives[bin] / counts[bin],
    });
  }
  return bins;
}

/**
 * Expected calibration error, ECE = Σ_b (n_b / N) · |observed rate_b − mean prediction_b|,
 * over the bins of {@link reliabilityDiagram} (default 15 equal-mass bins). 0 is perfect; a
 * perfectly calibrated finite sample still scores a little above 0 from binomial noise: about
 * √(2/π · p(1 − p) · bins / N) for predictions near p.
 *
 * @returns ECE in [0, 1], or NaN for no rows.
 */
export function expectedCalibrationError(
  labels: ArrayLike<number>,
  probabilities: ArrayLike<number>,
  options: CalibrationBinOptions = {},
): number {
  const caller = 'expectedCalibrationError';
  validateBinaryInputs(caller, labels, probabilities, 'probabilities');
  return calibrationErrorOf(
    reliabilityDiagramOfOrder(undefined, labels, probabilities, options, caller),
  );
}

/** ECE of a reliability diagram: its bins' |observed − predicted| weighted by row share. */
export function calibrationErrorOf(diagram: ReliabilityDiagram): number {
  let rows = 0;
  let error = 0;
  for (const bin of diagram.bins) {
    rows += bin.count;
    error += bin.count * Math.abs(bin.observedRate - bin.meanPrediction);
  }
  return rows > 0 ? error / rows : Number.NaN;
}

/**
 * Calibration ratio Σ w·p / Σ w·y (TorchRec `calibration`): predicted over observed positives.
 * 1 is calibrated on average; above 1 the model over-predicts. It says nothing about ranking
 * or about calibration within segments, so report it per segment too.
 *
 * @returns the ratio, or NaN when the (weighted) number of positives is 0.
 */
export function calibrationRatio(
  labels: ArrayLike<number>,
  probabilities: ArrayLike<number>,
  weights?: ArrayLike<number>,
): number {
  const rows = validateBinaryInputs(
    'calibrationRatio',
    labels,
    probabilities,
    'probabilities',
    weights,
  );
  let predicted = 0;
  let observed = 0;
  for (let row = 0; row < rows; row++) {
    const weight = weights === undefined ? 1 : weights[row];
    predicted += weight * probabilities[row];
    observed += weight * labels[row];
  }
  return observed > 0 ? predicted / observed : Number.NaN;
}
