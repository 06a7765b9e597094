/**
 * The compute kernels of training, run by the main thread and by workers alike. Each one works
 * on a unit whose result does not depend on who runs it (one feature's histogram, one node's
 * partition, one chunk of rows), which is why 1 and N threads give bit-identical models.
 */
import { sigmoidFloat32 } from './float32';
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
 * Builds the histograms of `tasks` for features `features[featureBegin..featureEnd)`: per bin,
 * the sum of gradients and of hessians of the task's rows.
 */
export function buildHistograms(
  views: TrainingViews,
  tasks: HistogramTaskList,
  features: Int32Array,
  featureBegin: number,
  featureEnd: number,
): void {
  const { rows, bins, gradients, rowIndex, histogramOffsets, histogramPages, slotSize } = views;
  for (let t = 0; t < tasks.length; t += HISTOGRAM_TASK_FIELDS) {
    const child = locateSlot(histogramPages, slotSize, tasks[t]);
    const begin = tasks[t + 1];
    const end = tasks[t + 2];
    const hist = child.page;
    for (let i = featureBegin; i < featureEnd; i++) {
      const feature = features[i];
      const start = child.offset + 2 * histogramOffsets[feature];
      const stop = child.offset + 2 * histogramOffsets[feature + 1];
      hist.fill(0, start, stop);
      const column = feature * rows;
      for (let k = begin; k < end; k++) {
        const row = rowIndex[k];
        const at = start + 2 * bins[column + row];
        hist[at] += gradients[2 * row];
        hist[at + 1] += gradients[2 * row + 1];
      }
      if (tasks[t + 4] >= 0) {
        const parent = locateSlot(histogramPages, slotSize, tasks[t + 3]);
        const sibling = locateSlot(histogramPages, slotSize, tasks[t + 4]);
        const shift = parent.offset - child.offset;
        const siblingShift = sibling.offset - child.offset;
        for (let at = start; at < stop; at++) {
          sibling.page[at + siblingShift] = parent.page[at + shift] - hist[at];
        }
      }
    }
  }
}

/**
 * Splits each task's row range in place, stably: rows going left first, then rows going right.
 * Returns the number of rows that went left, per task.
 */
export function partitionRows(views: TrainingViews, tasks: Int32Array): Int32Array {
  const { rows, bins, rowIndex, scratch, valueBinCounts } = views;
  const leftCounts = new Int32Array(tasks.length / PARTITION_TASK_FIELDS);
  for (let t = 0; t < tasks.length; t += PARTITION_TASK_FIELDS) {
    const begin = tasks[t];
    const end = tasks[t + 1];
    const feature = tasks[t + 2];
    const splitBin = tasks[t + 3];
    const missingGoesLeft = tasks[t + 4] === 1;
    const missingBin = valueBinCounts[feature];
    const column = feature * rows;
    let left = begin;
    let right = begin;
    for (let k = begin; k < end; k++) {
      const row = rowIndex[k];
      const bin = bins[column + row];
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
  for (let chunk = trainBegin; chunk < trainEnd; chunk++) {
    const first = chunk * LOSS_CHUNK_ROWS;
    const last = Math.min(views.rows, first + LOSS_CHUNK_ROWS);
    if (tree)
      addLeaves(tree, views.bins, views.rows, views.valueBinCounts, views.margins, first, last);
    updateGradients(views, chunk, first, last);
  }
  if (views.validationMargins === null || views.validationBins === null) return;
  for (let chunk = validationBegin; chunk < validationEnd; chunk++) {
    const first = chunk * LOSS_CHUNK_ROWS;
    const last = Math.min(views.validationRows, first + LOSS_CHUNK_ROWS);
    const margins = views.validationMargins;
    if (tree)
      addLeaves(
        tree,
        views.validationBins,
        views.validationRows,
        views.valueBinCounts,
        margins,
        first,
        last,
      );
    const partial = chunkLoss(
      margins,
      views.validationLabels as Float32Array,
      views.validationWeights,
      first,
      last,
    );
    views.lossPartials[2 * (views.trainChunks + chunk)] = partial.loss;
    views.lossPartials[2 * (views.trainChunks + chunk) + 1] = partial.weight;
  }
}

/** The leaf a row reaches, routing by bins (equivalent to the float thresholds). */
export function leafOfRow(
  tree: BinnedTree,
  bins: Uint8Array,
  rows: number,
  valueBinCounts: Int32Array,
  row: number,
): number {
  const { left, right, feature, splitBin, defaultLeft } = tree;
  let node = 0;
  while (left[node] !== -1) {
    const f = feature[node];
    const bin = bins[f * rows + row];
    const goLeft = bin === valueBinCounts[f] ? defaultLeft[node] === 1 : bin <= splitBin[node];
    node = goLeft ? left[node] : right[node];
  }
  return node;
}

function addLeaves(
  tree: BinnedTree,
  bins: Uint8Array,
  rows: number,
  valueBinCounts: Int32Array,
  margins: Float32Array,
  first: number,
  last: number,
): void {
  const leafValue = tree.leafValue;
  for (let row = first; row < last; row++) {
    // Float32Array storage rounds the sum to float32, as XGBoost's prediction buffer does.
    margins[row] += leafValue[leafOfRow(tree, bins, rows, valueBinCounts, row)];
  }
}

function updateGradients(views: TrainingViews, chunk: number, first: number, last: number): void {
  const { margins, labels, weights, gradients } = views;
  for (let row = first; row < last; row++) {
    const p = sigmoidFloat32(margins[row]);
    const weight = weights === null ? 1 : weights[row];
    gradients[2 * row] = (p - labels[row]) * weight;
    gradients[2 * row + 1] = max(p * (1 - p), 1e-16) * weight;
  }
  const partial = chunkLoss(margins, labels, weights, first, last);
  views.lossPartials[2 * chunk] = partial.loss;
  views.lossPartials[2 * chunk + 1] = partial.weight;
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
    const p = min(max(sigmoidFloat32(margins[row]), LOG_LOSS_EPSILON), 1 - LOG_LOSS_EPSILON);
    const y = labels[row];
    const weight = weights === null ? 1 : weights[row];
    loss -= weight * (y * log(p) + (1 - y) * log(1 - p));
    weightSum += weight;
  }
  return { loss, weight: weightSum };
}
