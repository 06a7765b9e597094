import { FeatureBinning, assignBins, binTrainingMatrix } from './binning';
import { EnsembleDescription, RegressionTree } from './ensemble-description';
import { TrainingDataError } from './errors';
import { LabelledMatrix, validateFeatureMatrix, validateLabels } from './feature-matrix';
import { formatFloat32, logitFloat32, sigmoidFloat32 } from './float32';
import { GbdtParameters, resolveGbdtParameters } from './parameters';
import { SeededRandom } from './random';
import { KernelTimings, TimedExecutor, TrainingExecutor } from './training-executor';
import { HistogramArena, TrainingViews, allocateSharedMemory, viewsOf } from './training-memory';
import { GrownTree, binnedTree, growTree } from './tree-grower';
import { TreeEnsemble } from './tree-ensemble';
import { startTrainingExecutor } from './worker-pool';

/** Progress after one boosting round. */
export interface GbdtRoundProgress {
  /** 0-based round; the model then has `round + 1` trees. */
  round: number;
  /** Weighted mean log loss on the training rows. */
  trainLogLoss: number;
  /** Weighted mean log loss on the validation rows, when there are any. */
  validationLogLoss?: number;
  /** Round with the lowest validation log loss so far (the last round without validation). */
  bestIteration: number;
  /** Milliseconds since training started (binning included). */
  elapsedMs: number;
}

/** Options of {@link trainGbdt}. */
export interface GbdtTrainingOptions {
  /** Overrides of {@link DEFAULT_GBDT_PARAMETERS}. */
  parameters?: Partial<GbdtParameters>;
  /** Rows watched for early stopping; same columns as the training matrix. */
  validation?: LabelledMatrix;
  /** Called after every round. */
  onRound?: (progress: GbdtRoundProgress) => void;
}

/** What {@link trainGbdt} returns. */
export interface GbdtTrainingResult {
  /** The ensemble, truncated to `bestIteration + 1` trees. */
  model: TreeEnsemble;
  /** Last round kept: the best validation round under early stopping, else the last round. */
  bestIteration: number;
  /** One entry per round trained (including rounds after the best one). */
  history: GbdtRoundProgress[];
  /** True when early stopping ended training before `rounds`. */
  stoppedEarly: boolean;
  /** Parameters after defaults were filled in. */
  parameters: GbdtParameters;
  /** Intercept used, as a float32 probability. */
  baseScore: number;
  /**
   * The returned model's probabilities on the validation rows, as tracked during training
   * (bit-identical to `model.predictProbabilities(validation.matrix)`); for calibration.
   */
  validationProbabilities?: Float64Array;
  /** Threads used, the main thread included. */
  threadsUsed: number;
  /** Why training ran on fewer threads than asked, when it did. */
  workerFallbackReason?: string;
  /** Where the wall-clock time went, in milliseconds. */
  timings: TrainingTimings;
}

/** Wall-clock milliseconds per training phase (`splitSearchMs` is what the others leave). */
export interface TrainingTimings extends KernelTimings {
  binningMs: number;
  workerStartMs: number;
  splitSearchMs: number;
  totalMs: number;
}

/**
 * Trains a binary logistic GBDT: quantile bins per feature, depth-wise trees grown from
 * gradient/hessian histograms (smaller child built, larger one by subtraction), missing values
 * in their own bin with a learned default direction, L2 on leaf weights, row and column
 * subsampling from a seeded generator, early stopping on validation log loss. The same seed
 * gives the same model for any thread count.
 */
export async function trainGbdt(
  train: LabelledMatrix,
  options: GbdtTrainingOptions = {},
): Promise<GbdtTrainingResult> {
  const started = performance.now();
  const parameters = resolveGbdtParameters(options.parameters);
  validateFeatureMatrix(train.matrix, 'training');
  validateLabels(train, 'training');
  const validation = options.validation;
  if (validation) checkValidationSet(train, validation);

  const { binning, layout, views, baseScore } = prepareMemory(train, validation, parameters);
  const binned = performance.now();

  const arena = new HistogramArena(views, layout.slotSize);
  const pool = await startTrainingExecutor(views, layout, arena, parameters.threads);
  const executor = new TimedExecutor(pool.executor);
  const workersStarted = performance.now();
  try {
    const run = await boost({ parameters, views, binning, executor, arena }, options, started);
    const totalMs = performance.now() - started;
    const { histogramMs, partitionMs, updateMs } = executor.timings;
    const binningMs = binned - started;
    const workerStartMs = workersStarted - binned;
    const kernelMs = binningMs + workerStartMs + histogramMs + partitionMs + updateMs;
    return {
      model: TreeEnsemble.fromDescription(describeEnsemble(train, parameters, baseScore, run)),
      bestIteration: run.bestIteration,
      history: run.history,
      stoppedEarly: run.history.length < parameters.rounds,
      parameters,
      baseScore,
      validationProbabilities: run.bestValidationMargins
        ? Float64Array.from(run.bestValidationMargins, (margin) => sigmoidFloat32(margin))
        : undefined,
      threadsUsed: executor.threads,
      workerFallbackReason: pool.fallbackReason,
      timings: {
        binningMs,
        workerStartMs,
        histogramMs,
        partitionMs,
        updateMs,
        splitSearchMs: totalMs - kernelMs,
        totalMs,
      },
    };
  } finally {
    await executor.close();
  }
}

/** Bins the training set into shared memory and fills labels, weights and start margins. */
function prepareMemory(
  train: LabelledMatrix,
  validation: LabelledMatrix | undefined,
  parameters: GbdtParameters,
) {
  const { rows, columns } = train.matrix;
  const trainingBins = new SharedArrayBuffer(rows * columns);
  const binning = binTrainingMatrix(
    train.matrix,
    train.weights,
    parameters.maxBins,
    new Uint8Array(trainingBins),
  );
  const layout = allocateSharedMemory({
    bins: trainingBins,
    rows,
    columns,
    validationRows: validation?.matrix.rows ?? 0,
    hasWeights: train.weights !== undefined,
    hasValidationWeights: validation?.weights !== undefined,
    valueBinCounts: binning.valueBinCounts,
    binStride: binning.binStride,
  });
  const views = viewsOf(layout, []);
  const baseScore = Math.fround(parameters.baseScore ?? weightedLabelMean(train));
  fillSharedMemory(views, binning, train, validation, logitFloat32(baseScore));
  return { binning, layout, views, baseScore };
}

interface BoostingContext {
  parameters: GbdtParameters;
  views: TrainingViews;
  binning: FeatureBinning;
  executor: TrainingExecutor;
  arena: HistogramArena;
}

interface BoostingRun {
  trees: GrownTree[];
  history: GbdtRoundProgress[];
  bestIteration: number;
  bestValidationMargins: Float32Array | null;
}

async function boost(
  context: BoostingContext,
  options: GbdtTrainingOptions,
  started: number,
): Promise<BoostingRun> {
  const { parameters, views, executor } = context;
  const random = new SeededRandom(parameters.seed);
  const hasValidation = views.validationRows > 0;
  const earlyStopping = hasValidation && parameters.earlyStoppingRounds > 0;
  const trees: GrownTree[] = [];
  const history: GbdtRoundProgress[] = [];
  let bestIteration = -1;
  let bestLoss = Infinity;
  let bestValidationMargins: Float32Array | null = null;

  await executor.applyTree(null);
  for (let round = 0; round < parameters.rounds; round++) {
    const rowCount = sampleRows(views, parameters.rowSubsample, random);
    const features = sampleFeatures(views.columns, parameters.columnSubsample, random);
    const tree = await growTree(context, features, rowCount);
    trees.push(tree);
    await executor.applyTree(binnedTree(tree));

    const losses = meanLosses(views);
    if (!earlyStopping || losses.validation < bestLoss) {
      bestIteration = round;
      bestLoss = losses.validation ?? bestLoss;
      if (hasValidation)
        // The shared buffers are at least 8 bytes: one validation row has a second, unused entry.
        bestValidationMargins = (views.validationMargins as Float32Array).slice(
          0,
          views.validationRows,
        );
    }
    const progress: GbdtRoundProgress = {
      round,
      trainLogLoss: losses.train,
      validationLogLoss: hasValidation ? losses.validation : undefined,
      bestIteration,
      elapsedMs: performance.now() - started,
    };
    history.push(progress);
    options.onRound?.(progress);
    if (earlyStopping && round - bestIteration >= parameters.earlyStoppingRounds) break;
    // Let timers and I/O run between rounds even when every kernel runs on this thread.
    await new Promise((resolve) => setImmediate(resolve));
  }
  return {
    trees: trees.slice(0, bestIteration + 1),
    history,
    bestIteration,
    bestValidationMargins,
  };
}

/** Writes this round's sampled rows into `rowIndex[0..n)` and returns n. */
function sampleRows(views: TrainingViews, rate: number, random: SeededRandom): number {
  const { rowIndex, rows } = views;
  if (rate >= 1) {
    for (let row = 0; row < rows; row++) rowIndex[row] = row;
    return rows;
  }
  let count = 0;
  for (let row = 0; row < rows; row++) if (random.next() < rate) rowIndex[count++] = row;
  return count;
}

/** This tree's features: a seeded draw without replacement, in ascending order. */
function sampleFeatures(columns: number, rate: number, random: SeededRandom): Int32Array {
  const all = Int32Array.from({ length: columns }, (_, i) => i);
  if (rate >= 1) return all;
  const count = Math.max(1, Math.floor(rate * columns + 1e-9));
  for (let i = 0; i < count; i++) {
    const j = i + random.nextInt(columns - i);
    [all[i], all[j]] = [all[j], all[i]];
  }
  return all.slice(0, count).sort();
}

function meanLosses(views: TrainingViews): { train: number; validation: number } {
  const sum = (first: number, last: number) => {
    let loss = 0;
    let weight = 0;
    for (let chunk = first; chunk < last; chunk++) {
      loss += views.lossPartials[2 * chunk];
      weight += views.lossPartials[2 * chunk + 1];
    }
    return weight > 0 ? loss / weight : NaN;
  };
  return {
    train: sum(0, views.trainChunks),
    validation: sum(views.trainChunks, views.trainChunks + views.validationChunks),
  };
}

function weightedLabelMean(train: LabelledMatrix): number {
  let positive = 0;
  let total = 0;
  for (let row = 0; row < train.labels.length; row++) {
    const weight = train.weights ? train.weights[row] : 1;
    positive += weight * train.labels[row];
    total += weight;
  }
  // A label mean of exactly 0 or 1 has an infinite margin; XGBoost would fail the same way.
  return Math.min(Math.max(positive / total, 1e-6), 1 - 1e-6);
}

function checkValidationSet(train: LabelledMatrix, validation: LabelledMatrix): void {
  validateFeatureMatrix(validation.matrix, 'validation');
  validateLabels(validation, 'validation');
  const expected = train.matrix.featureNames;
  const mismatch = expected.findIndex((name, i) => validation.matrix.featureNames[i] !== name);
  if (validation.matrix.columns !== train.matrix.columns || mismatch >= 0) {
    throw new TrainingDataError(
      `validation matrix columns differ from training: column ${mismatch} is ` +
        `'${validation.matrix.featureNames[mismatch]}', expected '${expected[mismatch]}'`,
    );
  }
}

function fillSharedMemory(
  views: TrainingViews,
  binning: FeatureBinning,
  train: LabelledMatrix,
  validation: LabelledMatrix | undefined,
  baseMargin: number,
): void {
  views.labels.set(train.labels);
  if (train.weights && views.weights) views.weights.set(train.weights);
  views.margins.fill(baseMargin);
  if (!validation || !views.validationBins || !views.validationLabels || !views.validationMargins) {
    return;
  }
  assignBins(validation.matrix, binning, views.validationBins);
  views.validationLabels.set(validation.labels);
  if (validation.weights && views.validationWeights)
    views.validationWeights.set(validation.weights);
  views.validationMargins.fill(baseMargin);
}

function describeEnsemble(
  train: LabelledMatrix,
  parameters: GbdtParameters,
  baseScore: number,
  run: BoostingRun,
): EnsembleDescription {
  const attributes: Record<string, string> = {
    best_iteration: String(run.bestIteration),
    best_ntree_limit: String(run.bestIteration + 1),
    gfr_trainer: 'gfr-gbdt',
    gfr_parameters: JSON.stringify({ ...parameters, threads: undefined, baseScore }),
  };
  const bestValidation = run.history[run.bestIteration]?.validationLogLoss;
  if (bestValidation !== undefined) attributes.best_score = formatFloat32(bestValidation);
  return {
    objective: 'binary:logistic',
    baseScore,
    numFeature: train.matrix.columns,
    featureNames: [...train.matrix.featureNames],
    featureTypes: train.matrix.featureNames.map(() => 'float'),
    attributes,
    trees: run.trees.map(regressionTree),
    hasStatistics: true,
  };
}

function regressionTree(tree: GrownTree): RegressionTree {
  return {
    leftChildren: tree.left,
    rightChildren: tree.right,
    parents: tree.parent,
    splitIndices: tree.feature,
    splitConditions: tree.splitCondition,
    defaultLeft: tree.defaultLeft,
    baseWeights: tree.baseWeight,
    lossChanges: tree.lossChange,
    sumHessian: tree.sumHessian,
    numDeleted: 0,
  };
}
