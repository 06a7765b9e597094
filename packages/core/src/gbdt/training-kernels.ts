/**
 * The compute kernels of training, run by the main thread and by workers alike. Each one works
 * on a unit whose result does not depend on who runs it (one feature's histogram, one node's
 * partition, one chunk of rows), which is why 1 and N threads give bit-identical models.
 */
import { trainingSigmoidFloat32 } from './float32';
import { LOSS_CHUNK_ROWS, TrainingViews, locateSlot } from './training-memory';

// Module-level aliases: global \`Math\` lookups are slow inside jest's VM sandbox.
const { log, max, min } = Math;

/** Integers per histogram task in a flattened task list. */
export const HISTOGRAM_TASK_FIELDS = 5;

/**
 * Histogram tasks, flattened: `childSlot, begin, end, parentSlot, siblingSlot` per task. The
 * child's histogram is built from rows `rowIndex[begin..end)`; when `siblingSlot >= 0` the
 * sibling's is then derived as parent minus child (the subtraction trick).
 */
export type HistogramTaskList = Int32Array;

/** Integers per partition task: `begin, end, feature, splitBin, defaultLeft`. */
export const PARTITION_TASK_FIELDS = 5;

/** A tree in the form the kernels route rows through: by bin, not by float threshold. */
export interface BinnedTree {
  left: Int32Array;
  right: Int32Array;
  feature: Int32Array;
  /** Value bins `<= splitBin` go left. */
  splitBin: Int32Array;
  defaultLeft: Uint8Array;
  /** Float32 leaf value (learning rate applied); 0 for internal nodes. */
  leafValue: Float32Array;
}

/**
 * Accumulates in ordinary memory, then copies into the shared slot: adding straight into a
 * SharedArrayBuffer-backed array measured about 1.8x slower. One buffer per thread, grown on
 * demand.
 */
let accumulator = new Float64Array(0);

/**
 * Builds the histograms of `tasks` for features `features[featureBegin..featureEnd)`: per bin,
 * the sum of gradients and of hessians of the task's rows. Rows are visited in `rowIndex`
 * order for every feature, whichever thread runs which features, so sums are reproducible.
 */
export function buildHistograms(
  views: TrainingViews,
  tasks: HistogramTaskList,
  features: Int32Array,
  featureBegin: number,
  featureEnd: number,
): void {
  if (featureBegin >= featureEnd) return;
  if (accumulator.length < views.slotSize) accumulator = new Float64Array(views.slotSize);
  const contiguous =
    features[featureEnd - 1] - features[featureBegin] === featureEnd - 1 - featureBegin;
  for (let t = 0; t < tasks.length; t += HISTOGRAM_TASK_FIELDS) {
    clearFeatures(views, accumulator, features, featureBegin, featureEnd);
    if (contiguous) {
      accumulateFeatureRange(
        views,
        accumulator,
        tasks[t + 1],
        tasks[t + 2],
        features[featureBegin],
        features[featureEnd - 1] + 1,
      );
    } else {
      accumulateFeatureList(
        views,
        accumulator,
        tasks[t + 1],
        tasks[t + 2],
        features.subarray(featureBegin, featureEnd),
      );
    }
    storeHistogram(views, accumulator, tasks, t, features, featureBegin, featureEnd);
  }
}

/** The hot loop for features `[first, last)` (no column sampling): no per-value lookups. */
function accumulateFeatureRange(
  views: TrainingViews,
  sums: Float64Array,
  begin: number,
  end: number,
  first: number,
  last: number,
): void {
  const { columns, bins, gradients, rowIndex } = views;
  const stride = 2 * views.binStride;
  for (let k = begin; k < end; k++) {
    const row = rowIndex[k];
    const gradient = gradients[2 * row];
    const hessian = gradients[2 * row + 1];
    const base = row * columns;
    for (let feature = first; feature < last; feature++) {
      const at = feature * stride + (bins[base + feature] << 1);
      sums[at] += gradient;
      sums[at + 1] += hessian;
    }
  }
}

/** The hot loop for a sampled feature list. */
function accumulateFeatureList(
  views: TrainingViews,
  sums: Float64Array,
  begin: number,
  end: number,
  features: Int32Array,
): void {
  const { columns, bins, gradients, rowIndex } = views;
  const stride = 2 * views.binStride;
  const count = features.length;
  for (let k = begin; k < end; k++) {
    const row = rowIndex[k];
    const gradient = gradients[2 * row];
    const hessian = gradients[2 * row + 1];
    const base = row * columns;
    for (let i = 0; i < count; i++) {
      const feature = features[i];
      const at = feature * stride + (bins[base + feature] << 1);
      sums[at] += gradient;
      sums[at + 1] += hessian;
    }
  }
}

function clearFeatures(
  views: TrainingViews,
  sums: Float64Array,
  features: Int32Array,
  featureBegin: number,
  featureEnd: number,
): void {
  for (let i = featureBegin; i < featureEnd; i++) {
    const start = 2 * features[i] * views.binStride;
    sums.fill(0, start, start + 2 * (views.valueBinCounts[features[i]] + 1));
  }
}

/** Copies the accumulated features into the child's slot and derives the sibling's, if asked. */
function storeHistogram(
  views: TrainingViews,
  sums: Float64Array,
  tasks: HistogramTaskList,
  t: number,
  features: Int32Array,
  featureBegin: number,
  featureEnd: number,
): void {
  const { histogramPages, slotSize, binStride, valueBinCounts } = views;
  const child = locateSlot(histogramPages, slotSize, tasks[t]);
  const withSibling = tasks[t + 4] >= 0;
  const parent = withSibling ? locateSlot(histogramPages, slotSize, tasks[t + 3]) : child;
  const sibling = withSibling ? locateSlot(histogramPages, slotSize, tasks[t + 4]) : child;
  for (let i = featureBegin; i < featureEnd; i++) {
    const feature = features[i];
    const start = 2 * feature * binStride;
    const stop = start + 2 * (valueBinCounts[feature] + 1);
    child.page.set(sums.subarray(start, stop), child.offset + start);
    if (!withSibling) continue;
    for (let at = start; at < stop; at++) {
      sibling.page[sibling.offset + at] = parent.page[parent.offset + at] - sums[at];
    }
  }
}

/**
 * Known shortcoming: with row-major bins this reads one byte per row from a different cache
 * line once nodes get sparse (about 12 % of single-thread training time at 200k × 30). A
 * column-major copy of the bins would make it cheap at the cost of twice the bin memory.
 *
 * Splits each task's row range in place, stably: rows going left first, then rows going right.
 * Returns the number of rows that went left, per task.
 */
export function partitionRows(views: TrainingViews, tasks: Int32Array): Int32Array {
  const { columns, bins, rowIndex, scratch, valueBinCounts } = views;
  const leftCounts = new Int32Array(tasks.length / PARTITION_TASK_FIELDS);
  for (let t = 0; t < tasks.length; t += PARTITION_TASK_FIELDS) {
    const begin = tasks[t];
    const end = tasks[t + 1];
    const feature = tasks[t + 2];
    const splitBin = tasks[t + 3];
    const missingGoesLeft = tasks[t + 4] === 1;
    const missingBin = valueBinCounts[feature];
    let left = begin;
    let right = begin;
    for (let k = begin; k < end; k++) {
      const row = rowIndex[k];
      const bin = bins[row * columns + feature];
      if (bin === missingBin ? missingGoesLeft : bin <= splitBin) rowIndex[left++] = row;
      else scratch[right++] = row;
    }
    rowIndex.set(scratch.subarray(begin, right), left);
    leftCounts[t / PARTITION_TASK_FIELDS] = left - begin;
  }
  return leftCounts;
}

/**
 * Adds `tree`'s leaf values to the margins of training chunks `[trainBegin, trainEnd)` and
 * validation chunks `[validationBegin, validationEnd)`, then recomputes the training rows'
 * gradients and every chunk's loss partial sums. `tree` null only refreshes gradients and
 * losses (the first round).
 */
export function applyTree(
  views: TrainingViews,
  tree: BinnedTree | null,
  trainBegin: number,
  trainEnd: number,
  validationBegin: number,
  validationEnd: number,
): void {
  const { columns, valueBinCounts } = views;
  for (let chunk = trainBegin; chunk < trainEnd; chunk++) {
    const first = chunk * LOSS_CHUNK_ROWS;
    const last = min(views.rows, first + LOSS_CHUNK_ROWS);
    if (tree) addLeaves(tree, views.bins, columns, valueBinCounts, views.margins, first, last);
    updateGradients(views, chunk, first, last);
  }
  const { validationBins, validationMargins, validationLabels, validationWeights } = views;
  if (validationBins === null || validationMargins === null || validationLabels === null) return;
  for (let chunk = validationBegin; chunk < validationEnd; chunk++) {
    const first = chunk * LOSS_CHUNK_ROWS;
    const last = min(views.validationRows, first + LOSS_CHUNK_ROWS);
    if (tree)
      addLeaves(tree, validationBins, columns, valueBinCounts, validationMargins, first, last);
    const partial = chunkLoss(validationMargins, validationLabels, validationWeights, first, last);
    views.lossPartials[2 * (views.trainChunks + chunk)] = partial.loss;
    views.lossPartials[2 * (views.trainChunks + chunk) + 1] = partial.weight;
  }
}

/** The leaf a row reaches, routing by bins (equivalent to the float thresholds). */
export function leafOfRow(
  tree: BinnedTree,
  bins: Uint8Array,
  columns: number,
  valueBinCounts: Int32Array,
  row: number,
): number {
  const { left, right, feature, splitBin, defaultLeft } = tree;
  let node = 0;
  while (left[node] !== -1) {
    const f = feature[node];
    const bin = bins[row * columns + f];
    const goLeft = bin === valueBinCounts[f] ? defaultLeft[node] === 1 : bin <= splitBin[node];
    node = goLeft ? left[node] : right[node];
  }
  return node;
}

function addLeaves(
  tree: BinnedTree,
  bins: Uint8Array,
  columns: number,
  valueBinCounts: Int32Array,
  margins: Float32Array,
  first: number,
  last: number,
): void {
  const leafValue = tree.leafValue;
  for (let row = first; row < last; row++) {
    // Float32Array storage rounds the sum to float32, as XGBoost's prediction buffer does.
    margins[row] += leafValue[leafOfRow(tree, bins, columns, valueBinCounts, row)];
  }
}

/**
 * Gradients, hessians and the chunk's loss partial sums of training rows `[first, last)`, in one
 * pass: each row's probability is computed once for both.
 */
function updateGradients(views: TrainingViews, chunk: number, first: number, last: number): void {
  const { margins, labels, weights, gradients } = views;
  let loss = 0;
  let weightSum = 0;
  for (let row = first; row < last; row++) {
    const p = trainingSigmoidFloat32(margins[row]);
    const weight = weights === null ? 1 : weights[row];
    const y = labels[row];
    gradients[2 * row] = (p - y) * weight;
    gradients[2 * row + 1] = max(p * (1 - p), 1e-16) * weight;
    loss += weight * rowLogLoss(p, y);
    weightSum += weight;
  }
  views.lossPartials[2 * chunk] = loss;
  views.lossPartials[2 * chunk + 1] = weightSum;
}

const LOG_LOSS_EPSILON = 1e-16;

function chunkLoss(
  margins: Float32Array,
  labels: Float32Array,
  weights: Float32Array | null,
  first: number,
  last: number,
): { loss: number; weight: number } {
  let loss = 0;
  let weightSum = 0;
  for (let row = first; row < last; row++) {
    const weight = weights === null ? 1 : weights[row];
    const rowLoss = rowLogLoss(trainingSigmoidFloat32(margins[row]), labels[row]);
    loss += weight * rowLoss;
    weightSum += weight;
  }
  return { loss, weight: weightSum };
}

/** Log loss of one row with probability `probability` (clipped away from 0 and 1), label `y`. */
function rowLogLoss(probability: number, y: number): number {
  const p = min(max(probability, LOG_LOSS_EPSILON), 1 - LOG_LOSS_EPSILON);
  // One logarithm for hard labels; both only for soft labels.
  return y === 1 ? -log(p) : y === 0 ? -log(1 - p) : -(y * log(p) + (1 - y) * log(1 - p));
}
