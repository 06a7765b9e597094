import { CalibrationMap, applyCalibration, chooseCalibration } from '../calibration';
import { GbdtParameters, TreeEnsemble, trainGbdt } from '../gbdt';
import { GfrError } from '../errors';
import { Logger, silentLogger } from '../log';
import { BinaryClassificationReport, binaryClassificationReport } from '../metrics';
import { BaselineName, itemRateScores, popularityScores } from './baselines';
import { Head, TrainingSet, selectPart } from './training-sets';

/** A head cannot be trained: a part of the split has no positive example to learn from. */
export class NoPositiveExamplesError extends GfrError {
  constructor(head: Head, part: string, rows: number) {
    const what = head === 'ctr' ? 'click' : 'purchase after a click';
    super(
      'NO_POSITIVE_EXAMPLES',
      `cannot train ${head}: the ${part} days hold ${rows} examples but no ${what}; ` +
        'check that clicks match impressions (same user, item and request) or use a longer log',
    );
  }
}

/** Progress of boosting, for progress bars: round done out of the configured rounds. */
export type RoundListener = (head: Head, round: number, rounds: number) => void;

/** A trained, calibrated head with its evaluation and its baselines' on the same split. */
export interface TrainedHead {
  head: Head;
  model: TreeEnsemble;
  calibration: CalibrationMap;
  bestIteration: number;
  /** Calibrated model metrics on the validation and test parts. */
  validation: BinaryClassificationReport;
  test: BinaryClassificationReport;
  /** The same metrics of each baseline on the test part (calibrated on validation too). */
  baselines: Record<BaselineName, BinaryClassificationReport>;
  /** Calibrated test predictions of the model and of the baselines, row-aligned with `testSet`. */
  testPredictions: Float64Array;
  baselineTestPredictions: Record<BaselineName, Float64Array>;
  testSet: TrainingSet;
  /** Total split gain per feature name. */
  featureImportance: Record<string, number>;
  /** Rows per part. */
  rows: { train: number; validation: number; test: number };
}

/**
 * Trains one head on the train part with early stopping on validation, fits the calibration
 * on validation predictions and evaluates model and baselines on the test part.
 */
export async function trainHead(
  set: TrainingSet,
  parameters: Partial<GbdtParameters>,
  logger: Logger = silentLogger,
  onRound?: RoundListener,
): Promise<TrainedHead> {
  const train = selectPart(set, 'train');
  const validation = selectPart(set, 'validation');
  const test = selectPart(set, 'test');
  for (const [name, part] of [
    ['train', train],
    ['validation', validation],
  ] as const) {
    if (!part.labels.some((label) => label === 1)) {
      throw new NoPositiveExamplesError(set.head, name, part.labels.length);
    }
  }
  const log = logger.child({ head: set.head });
  log.info('training head', { train: train.labels.length, validation: validation.labels.length });

  const rounds = parameters.rounds ?? 200;
  const result = await trainGbdt(
    { matrix: train.features, labels: train.labels },
    {
      parameters,
      validation: { matrix: validation.features, labels: validation.labels },
      onRound: (progress) => onRound?.(set.head, progress.round, rounds),
    },
  );
  const model = result.model;
  log.info('head trained', { bestIteration: result.bestIteration, trees: model.numTrees });

  const validationRaw =
    result.validationProbabilities ?? model.predictProbabilities(validation.features);
  const calibration = chooseCalibration(validationRaw, validation.labels);
  const testPredictions = calibrate(calibration, model.predictProbabilities(test.features));
  const validationPredictions = calibrate(calibration, validationRaw);

  const baselineTestPredictions = {
    popularity: calibratedBaseline(
      popularityScores(validation),
      validation,
      popularityScores(test),
    ),
    item_rate: calibratedBaseline(
      itemRateScores(train, validation),
      validation,
      itemRateScores(train, test),
    ),
  };
  const evaluate = (predictions: ArrayLike<number>, part: TrainingSet) =>
    binaryClassificationReport(part.labels, predictions, part.userIds);

  return {
    head: set.head,
    model,
    calibration,
    bestIteration: result.bestIteration,
    validation: evaluate(validationPredictions, validation),
    test: evaluate(testPredictions, test),
    baselines: {
      popularity: evaluate(baselineTestPredictions.popularity, test),
      item_rate: evaluate(baselineTestPredictions.item_rate, test),
    },
    testPredictions,
    baselineTestPredictions,
    testSet: test,
    featureImportance: model.featureImportance('total_gain'),
    rows: {
      train: train.labels.length,
      validation: validation.labels.length,
      test: test.labels.length,
    },
  };
}

/** Applies a calibration map to every probability. */
export function calibrate(map: CalibrationMap, probabilities: ArrayLike<number>): Float64Array {
  const calibrated = new Float64Array(probabilities.length);
  for (let row = 0; row < calibrated.length; row++) {
    calibrated[row] = applyCalibration(map, probabilities[row]);
  }
  return calibrated;
}

function calibratedBaseline(
  validationScores: Float64Array,
  validation: TrainingSet,
  testScores: Float64Array,
): Float64Array {
  const map = chooseCalibration(validationScores, validation.labels);
  return calibrate(map, testScores);
}
