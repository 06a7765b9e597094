import { GbdtParameterError, TrainingDataError } from './errors';
import { FeatureMatrix, featureMatrixFromRows } from './feature-matrix';
import { sigmoidFloat32 } from './float32';
import { syntheticBinarySet } from './synthetic-data';
import { trainGbdt } from './trainer';
import { TreeEnsemble } from './tree-ensemble';

/** Area under the ROC curve, ties counted half. */
function auc(labels: ArrayLike<number>, scores: ArrayLike<number>): number {
  const order = Array.from({ length: labels.length }, (_, i) => i).sort(
    (a, b) => scores[a] - scores[b],
  );
  let positives = 0;
  let rankSum = 0;
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j < order.length && scores[order[j]] === scores[order[i]]) j++;
    const averageRank = (i + j + 1) / 2;
    for (let k = i; k < j; k++) {
      if (labels[order[k]] === 1) {
        positives++;
        rankSum += averageRank;
      }
    }
    i = j;
  }
  const negatives = labels.length - positives;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** Index of the first element where the arrays differ bitwise (NaN equals NaN), or -1. */
function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

function logLoss(labels: ArrayLike<number>, probabilities: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < labels.length; i++) {
    const p = Math.min(Math.max(probabilities[i], 1e-15), 1 - 1e-15);
    sum -= labels[i] * Math.log(p) + (1 - labels[i]) * Math.log(1 - p);
  }
  return sum / labels.length;
}

describe('trainGbdt on data with a known signal', () => {
  const train = syntheticBinarySet(20_000, 6, 1);
  const validation = syntheticBinarySet(8_000, 6, 2);
  const test = syntheticBinarySet(8_000, 6, 3);
  let result: Awaited<ReturnType<typeof trainGbdt>>;

  beforeAll(async () => {
    result = await trainGbdt(train, {
      parameters: { rounds: 150, maxDepth: 4, learningRate: 0.15, threads: 1 },
      validation,
    });
  });

  it('ranks test rows almost as well as the true probabilities do', () => {
    const predicted = result.model.predictProbabilities(test.matrix);
    const oracle = auc(test.labels, test.trueProbabilities);
    const model = auc(test.labels, predicted);
    expect(oracle).toBeGreaterThan(0.75);
    expect(model).toBeGreaterThan(oracle - 0.012);
    expect(logLoss(test.labels, predicted)).toBeLessThan(
      logLoss(test.labels, test.trueProbabilities) + 0.012,
    );
  });

  it('gives every informative feature more total gain than any noise column', () => {
    const gain = result.model.featureImportance('total_gain');
    const weakestSignal = Math.min(gain.x0, gain.x1, gain.x2, gain.x3);
    expect(Math.max(gain.x4, gain.x5)).toBeLessThan(weakestSignal);
  });

  it('reports per-round losses that fall on the training set', () => {
    const first = result.history[0];
    const last = result.history[result.history.length - 1];
    expect(last.trainLogLoss).toBeLessThan(first.trainLogLoss);
    expect(first.validationLogLoss).toBeGreaterThan(0);
    expect(result.history.map((h) => h.round)).toEqual(result.history.map((_, i) => i));
  });

  it('tracks validation probabilities bit-identical to the saved and reloaded model', () => {
    const reloaded = TreeEnsemble.fromXGBoostJson(result.model.toXGBoostJsonText());
    const fromReloaded = reloaded.predictProbabilities(validation.matrix);
    expect(firstDifference(result.validationProbabilities as Float64Array, fromReloaded)).toBe(-1);
    const trainedScores = result.model.predictProbabilities(train.matrix);
    expect(firstDifference(reloaded.predictProbabilities(train.matrix), trainedScores)).toBe(-1);
    expect(reloaded.numTrees).toBe(result.bestIteration + 1);
  });
});

describe('trainGbdt on a one-split problem', () => {
  // x takes four values and is missing in every fifth row. Labels: all 1 from x = 0.5 on,
  // 1 in one of eight rows below it, 1 in three of four rows where x is missing.
  const rows: Array<[number | null]> = [];
  const labels: number[] = [];
  for (let i = 0; i < 400; i++) {
    const x = i % 5 === 4 ? null : (i % 5) / 4;
    rows.push([x]);
    labels.push(x === null || x >= 0.5 ? (i % 20 === 9 ? 0 : 1) : i % 20 === 0 ? 1 : 0);
  }
  const matrix = featureMatrixFromRows(rows, ['x']);
  const set = { matrix, labels: Float32Array.from(labels) };

  it('learns the step at the exact float32 cut, with the Newton-step leaf values', async () => {
    const { model } = await trainGbdt(set, {
      parameters: {
        rounds: 1,
        maxDepth: 1,
        learningRate: 1,
        l2Regularization: 0,
        baseScore: 0.5,
        threads: 1,
      },
    });
    const [tree] = model.toXGBoostJson().learner.gradient_booster.model.trees;
    expect(tree.left_children).toEqual([1, -1, -1]);
    expect(tree.split_conditions[0]).toBe(Math.fround(0.5));
    expect(tree.default_left[0]).toBe(0);

    const leafValue = (goesLeft: (x: number | null) => boolean) => {
      let gradient = 0;
      let hessian = 0;
      rows.forEach(([x], i) => {
        if (!goesLeft(x)) return;
        gradient += 0.5 - labels[i];
        hessian += 0.25;
      });
      return Math.fround(-gradient / hessian);
    };
    expect(tree.split_conditions[1]).toBe(leafValue((x) => x !== null && x < 0.5));
    expect(tree.split_conditions[2]).toBe(leafValue((x) => x === null || x >= 0.5));
    expect(model.predictMargin([NaN])).toBe(model.predictMargin([0.75]));
    expect(model.predictProbability([0.25])).toBeLessThan(0.2);
  });
});

describe('trainGbdt determinism and early stopping', () => {
  const train = syntheticBinarySet(6_000, 5, 11);
  const validation = syntheticBinarySet(3_000, 5, 12);
  const sampled = { rounds: 25, rowSubsample: 0.7, columnSubsample: 0.6, threads: 1 };

  it('gives identical model JSON for the same seed and a different model for another', async () => {
    const first = await trainGbdt(train, { parameters: { ...sampled, seed: 7 } });
    const second = await trainGbdt(train, { parameters: { ...sampled, seed: 7 } });
    const other = await trainGbdt(train, { parameters: { ...sampled, seed: 8 } });
    expect(second.model.toXGBoostJsonText()).toBe(first.model.toXGBoostJsonText());
    expect(other.model.toXGBoostJsonText()).not.toBe(first.model.toXGBoostJsonText());
  });

  it('stops after earlyStoppingRounds without improvement and keeps the best iteration', async () => {
    const rounds: number[] = [];
    const result = await trainGbdt(train, {
      parameters: {
        rounds: 400,
        learningRate: 0.8,
        maxDepth: 6,
        earlyStoppingRounds: 5,
        threads: 1,
      },
      validation,
      onRound: (progress) => rounds.push(progress.round),
    });
    const losses = result.history.map((h) => h.validationLogLoss as number);
    const best = losses.indexOf(Math.min(...losses));
    expect(result.stoppedEarly).toBe(true);
    expect(result.bestIteration).toBe(best);
    expect(result.history.length).toBe(best + 5 + 1);
    expect(rounds.length).toBe(result.history.length);
    expect(result.model.numTrees).toBe(best + 1);
    expect(result.model.attributes.best_iteration).toBe(String(best));
    const reloaded = TreeEnsemble.fromXGBoostJson(result.model.toXGBoostJsonText());
    const probabilities = reloaded.predictProbabilities(validation.matrix);
    expect(logLoss(validation.labels, probabilities)).toBeCloseTo(losses[best], 5);
  });
});

describe('trainGbdt input checks', () => {
  const matrix: FeatureMatrix = featureMatrixFromRows([[1], [2], [3]], ['x']);

  it('refuses labels outside [0, 1] and negative weights, naming the row', async () => {
    await expect(trainGbdt({ matrix, labels: Float32Array.of(0, 2, 1) })).rejects.toThrow(
      /training set: label of row 1 is 2/,
    );
    await expect(
      trainGbdt({ matrix, labels: Float32Array.of(0, 1, 1), weights: Float32Array.of(1, -1, 1) }),
    ).rejects.toThrow(TrainingDataError);
  });

  it('refuses infinite feature values, naming row, column and feature', async () => {
    const infinite = featureMatrixFromRows(
      [
        [1, 2],
        [3, Infinity],
      ],
      ['a', 'b'],
    );
    await expect(trainGbdt({ matrix: infinite, labels: Float32Array.of(0, 1) })).rejects.toThrow(
      /row 1, column 1 \(b\) is Infinity/,
    );
  });

  it('refuses a validation set with other columns', async () => {
    const other = featureMatrixFromRows([[1]], ['y']);
    await expect(
      trainGbdt(
        { matrix, labels: Float32Array.of(0, 1, 1) },
        { validation: { matrix: other, labels: Float32Array.of(1) } },
      ),
    ).rejects.toThrow(/column 0 is 'y', expected 'x'/);
  });

  it.each([
    [{ maxDepth: 0 }, /maxDepth: must be an integer in \[1, 16\], got 0/],
    [{ maxBins: 300 }, /maxBins/],
    [{ rowSubsample: 0 }, /rowSubsample: must be > 0 and <= 1, got 0/],
    [{ learningRate: -1 }, /learningRate/],
    [{ baseScore: 1 }, /baseScore: must be a probability in \(0, 1\)/],
  ])('refuses parameters %j', async (parameters, message) => {
    const promise = trainGbdt({ matrix, labels: Float32Array.of(0, 1, 1) }, { parameters });
    await expect(promise).rejects.toThrow(GbdtParameterError);
    await expect(
      trainGbdt({ matrix, labels: Float32Array.of(0, 1, 1) }, { parameters }),
    ).rejects.toThrow(message);
  });

  it('trains on a tiny set whose labels are all equal', async () => {
    const { model } = await trainGbdt(
      { matrix, labels: Float32Array.of(1, 1, 1) },
      { parameters: { rounds: 3, threads: 1 } },
    );
    expect(model.predictProbability([2])).toBeGreaterThan(0.99);
    expect(sigmoidFloat32(model.predictMargin([2]))).toBe(model.predictProbability([2]));
  });
});

describe('a validation set of one row', () => {
  it('gives one validation probability, the model’s own for that row', async () => {
    const train = {
      matrix: featureMatrixFromRows([[0], [1], [0], [1]], ['x']),
      labels: Float32Array.from([0, 1, 0, 1]),
    };
    const validation = { matrix: featureMatrixFromRows([[1]], ['x']), labels: Float32Array.of(1) };

    const result = await trainGbdt(train, {
      parameters: { rounds: 3, maxDepth: 1, minChildWeight: 0, threads: 1 },
      validation,
    });

    expect(result.validationProbabilities).toHaveLength(1);
    expect(result.validationProbabilities![0]).toBe(
      result.model.predictProbabilities(validation.matrix)[0],
    );
  });
});
