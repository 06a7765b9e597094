import { EnsembleLayout } from './ensemble-layout';
import { sigmoidFloat32 } from './float32';
import { copyRowToFloat32 } from './row-batch';

/**
 * What the fast scorers share: given a batch margin kernel over an {@link EnsembleLayout}, the
 * probabilities, and the one-row forms that route a single row through the batch path (so the
 * two can never disagree).
 */
export abstract class LayoutScorer {
  private readonly scratchRow: Float32Array;
  private readonly scratchMargin = new Float64Array(1);

  protected constructor(protected readonly layout: EnsembleLayout) {
    this.scratchRow = new Float32Array(layout.numFeature);
  }

  /** Raw scores of `rows` row-major rows (NaN = missing), float32-exact, into `out`. */
  abstract predictMargins(
    values: Float32Array,
    rows: number,
    out?: Float64Array,
    columns?: number,
  ): Float64Array;

  /** XGBoost's float32 sigmoid of {@link predictMargins}, same arguments. */
  predictProbabilities(
    values: Float32Array,
    rows: number,
    out?: Float64Array,
    columns = this.layout.numFeature,
  ): Float64Array {
    return toProbabilities(this.predictMargins(values, rows, out, columns), rows);
  }

  /** The raw score of one row; NaN, null or undefined mean missing. */
  predictMargin(row: ArrayLike<number | null | undefined>): number {
    const values = copyRowToFloat32(row, this.layout.numFeature, this.scratchRow);
    return this.predictMargins(values, 1, this.scratchMargin)[0];
  }

  /** The probability of one row (XGBoost's float32 sigmoid of its margin). */
  predictProbability(row: ArrayLike<number | null | undefined>): number {
    return sigmoidFloat32(this.predictMargin(row));
  }
}

/** Replaces the first `rows` margins by their float32 sigmoid; returns the same array. */
function toProbabilities(margins: Float64Array, rows: number): Float64Array {
  for (let row = 0; row < rows; row++) margins[row] = sigmoidFloat32(margins[row]);
  return margins;
}
