import { assignBins, binTrainingMatrix, splitThreshold } from './binning';
import { FeatureMatrix } from './feature-matrix';
import { FLOAT32_MAX } from './float32';
import { SeededRandom } from './random';

/** A matrix mixing duplicates, signed zeros, tiny and huge values, NaN and a constant column. */
function awkwardMatrix(rows: number): FeatureMatrix {
  const random = new SeededRandom(3);
  const columns = 5;
  const values = new Float32Array(rows * columns);
  for (let row = 0; row < rows; row++) {
    const u = random.next();
    values[row * columns] = random.nextInt(7) - 3; // few distinct integers
    values[row * columns + 1] = u < 0.1 ? NaN : u < 0.2 ? -0 : u < 0.3 ? 0 : (u - 0.5) * 1e-30;
    values[row * columns + 2] = (random.next() - 0.5) * 1e6; // many distinct values
    values[row * columns + 3] = 42; // constant
    values[row * columns + 4] = u < 0.5 ? FLOAT32_MAX : -FLOAT32_MAX;
  }
  return { values, rows, columns, featureNames: ['a', 'b', 'c', 'd', 'e'] };
}

describe('binTrainingMatrix', () => {
  const matrix = awkwardMatrix(5_000);
  const bins = new Uint8Array(matrix.rows * matrix.columns);
  const binning = binTrainingMatrix(matrix, undefined, 16, bins);

  it('routes every value by its float32 threshold exactly as by its bin', () => {
    for (let column = 0; column < matrix.columns; column++) {
      const valueBins = binning.valueBinCounts[column];
      for (let row = 0; row < matrix.rows; row++) {
        const value = matrix.values[row * matrix.columns + column];
        const bin = bins[row * matrix.columns + column];
        if (Number.isNaN(value)) {
          expect(bin).toBe(valueBins);
          continue;
        }
        for (let splitBin = 0; splitBin < valueBins - 1; splitBin++) {
          const threshold = splitThreshold(binning, column, splitBin);
          if (Math.fround(value) < threshold !== bin <= splitBin) {
            throw new Error(`column ${column} row ${row}: ${value} bin ${bin} split ${splitBin}`);
          }
        }
      }
    }
  });

  it('keeps at most maxBins - 1 value bins and gives few distinct values a bin each', () => {
    expect(Array.from(binning.cuts[0])).toEqual([-2, -1, 0, 1, 2, 3]);
    expect(binning.cuts[2].length).toBe(14);
    expect(binning.valueBinCounts[3]).toBe(1);
    expect(binning.binStride).toBe(16);
  });

  it('puts -0 and +0 in one bin, since they compare equal', () => {
    const zeros = new Set<number>();
    for (let row = 0; row < matrix.rows; row++) {
      const value = matrix.values[row * matrix.columns + 1];
      if (value === 0) zeros.add(bins[row * matrix.columns + 1]);
    }
    expect(zeros.size).toBe(1);
  });

  it('allows a present-vs-missing split only when no value reaches the largest float32', () => {
    expect(Array.from(binning.missingSplitAllowed)).toEqual([1, 1, 1, 1, 0]);
    expect(splitThreshold(binning, 0, binning.valueBinCounts[0] - 1)).toBe(FLOAT32_MAX);
  });

  it('bins another matrix (validation) identically with assignBins', () => {
    const again = new Uint8Array(bins.length);
    assignBins(matrix, binning, again);
    expect(Buffer.compare(Buffer.from(again), Buffer.from(bins))).toBe(0);
  });

  it('places cuts at weighted quantiles', () => {
    // Values 0..99; rows with value >= 50 weigh 9 times more, so most cuts fall above 50.
    const rows = 100;
    const values = Float32Array.from({ length: rows }, (_, i) => i);
    const weights = Float32Array.from({ length: rows }, (_, i) => (i >= 50 ? 9 : 1));
    const weighted = binTrainingMatrix(
      { values, rows, columns: 1, featureNames: ['x'] },
      weights,
      11,
      new Uint8Array(rows),
    );
    const cuts = Array.from(weighted.cuts[0]);
    expect(cuts.length).toBe(9);
    expect(cuts.filter((cut) => cut > 50).length).toBeGreaterThanOrEqual(8);
  });
});
