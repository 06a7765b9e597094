import { FeatureMatrix } from './feature-matrix';
import { sigmoidFloat32 } from './float32';
import { SeededRandom } from './random';

// Module-level aliases: global `Math` lookups are slow inside jest's VM sandbox.
const { cos, log, PI, sqrt } = Math;
const MISSING = Number.NaN;

/** A generated binary classification set whose true click probabilities are known. */
export interface SyntheticBinarySet {
  matrix: FeatureMatrix;
  labels: Float32Array;
  /** The probability each label was drawn from. */
  trueProbabilities: Float64Array;
}

/**
 * Draws `rows` rows of `columns` (at least 4) features and labels `y ~ Bernoulli(sigmoid(f))`
 * with a step, an interaction and informative missingness:
 * `f = 1.5·[x0 > 0.3] + 0.8·x1·(x2 >= 5 ? 1 : -1) + (x3 missing ? 0.7 : -0.5·x3) - 1`.
 * Column 0 is uniform on [-2, 2], column 1 standard normal, column 2 a count 0–9, column 3
 * uniform on [-1, 1] with 20 % missing; further columns are noise. For tests and benchmarks.
 */
export function syntheticBinarySet(
  rows: number,
  columns: number,
  seed: number,
): SyntheticBinarySet {
  const width = Math.max(4, columns);
  const random = new SeededRandom(seed);
  const values = new Float32Array(rows * width);
  const labels = new Float32Array(rows);
  const trueProbabilities = new Float64Array(rows);
  for (let row = 0; row < rows; row++) {
    const x = values.subarray(row * width, (row + 1) * width);
    x[0] = random.next() * 4 - 2;
    x[1] = normal(random);
    x[2] = random.nextInt(10);
    x[3] = random.next() < 0.2 ? MISSING : random.next() * 2 - 1;
    for (let column = 4; column < width; column++) x[column] = normal(random);
    const missing = x[3] !== x[3];
    const f =
      1.5 * (x[0] > 0.3 ? 1 : 0) +
      0.8 * x[1] * (x[2] >= 5 ? 1 : -1) +
      (missing ? 0.7 : -0.5 * x[3]) -
      1;
    trueProbabilities[row] = sigmoidFloat32(f);
    labels[row] = random.next() < trueProbabilities[row] ? 1 : 0;
  }
  const featureNames = Array.from({ length: width }, (_, i) => `x${i}`);
  return { matrix: { values, rows, columns: width, featureNames }, labels, trueProbabilities };
}

function normal(random: SeededRandom): number {
  const u = 1 - random.next();
  return sqrt(-2 * log(u)) * cos(2 * PI * random.next());
}
