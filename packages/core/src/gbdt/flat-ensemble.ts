import { EnsembleDescription } from './ensemble-description';
import { EnsembleLayout, describeEnsemble, layOutEnsemble } from './ensemble-layout';
import { LayoutScorer } from './layout-scorer';
import { checkRowBatch } from './row-batch';
import { TreeEnsemble } from './tree-ensemble';

// A module-level alias: global `Math` lookups are slow inside jest's VM sandbox.
const fround = Math.fround;

/**
 * A batch scorer over the flat typed-array layout ({@link EnsembleLayout}): bit-identical to
 * {@link TreeEnsemble.predictMargin} and `predictProbability`, about twice as fast as the
 * reference traversal on batches, and free of generated code (see `CompiledEnsemble` for the
 * fastest scorer, which falls back to this kernel where it cannot compile).
 */
export class FlatEnsemble extends LayoutScorer {
  private constructor(layout: EnsembleLayout) {
    super(layout);
  }

  /** Lays out a loaded ensemble. */
  static from(ensemble: TreeEnsemble): FlatEnsemble {
    return new FlatEnsemble(layOutEnsemble(describeEnsemble(ensemble)));
  }

  /** Lays out an already validated description (from the trainer or a document reader). */
  static fromDescription(description: EnsembleDescription): FlatEnsemble {
    return new FlatEnsemble(layOutEnsemble(description));
  }

  /** Row width the model reads. */
  get numFeature(): number {
    return this.layout.numFeature;
  }

  /** Number of trees scored. */
  get numTrees(): number {
    return this.layout.treeRoots.length;
  }

  /**
   * Raw scores (float32 values in a Float64Array) of `rows` rows of the row-major `values`,
   * `columns` values per row (default: the model's features); NaN means missing. Writes into
   * `out` when given.
   */
  predictMargins(
    values: Float32Array,
    rows: number,
    out?: Float64Array,
    columns = this.layout.numFeature,
  ): Float64Array {
    const margins = checkRowBatch(values, rows, columns, this.layout.numFeature, out);
    margins.fill(this.layout.baseMargin, 0, rows);
    addTreeLeaves(this.layout, 0, this.numTrees, values, rows, columns, margins);
    return margins;
  }
}

/**
 * Adds, in tree order, the leaf values of trees `firstTree` up to (not including) `endTree`
 * into `margins` (float32 sums), for `rows` rows of `values` with `stride` values per row.
 *
 * Tree-major (a tree's nodes stay in cache while the batch streams past) and branch-free: each
 * step computes the child index arithmetically, so data-dependent comparisons cost no branch
 * mispredictions, and four rows are walked side by side to overlap their load latencies. Every
 * tree takes exactly `depth` steps; a row that reaches a leaf early stays on it (a leaf is its
 * own left child and has no internal flag).
 */
export function addTreeLeaves(
  layout: EnsembleLayout,
  firstTree: number,
  endTree: number,
  values: Float32Array,
  rows: number,
  stride: number,
  margins: Float64Array,
): void {
  const {
    treeRoots,
    treeDepths,
    nodeLeftChild: left,
    nodeFlags: flags,
    nodeValues: value,
  } = layout;
  for (let tree = firstTree; tree < endTree; tree++) {
    const root = treeRoots[tree];
    const depth = treeDepths[tree];
    let row = 0;
    for (; row + 4 <= rows; row += 4) {
      const o0 = row * stride;
      const o1 = o0 + stride;
      const o2 = o1 + stride;
      const o3 = o2 + stride;
      let n0 = root;
      let n1 = root;
      let n2 = root;
      let n3 = root;
      for (let step = 0; step < depth; step++) {
        // goLeft = x < threshold, or x missing and the default is left; the child moves one
        // slot right only on internal nodes that do not go left.
        const p0 = flags[n0];
        const x0 = values[o0 + (p0 >>> 2)];
        const goLeft0 = +(x0 < value[n0]) | ((p0 >>> 1) & +(x0 !== x0));
        n0 = left[n0] + (p0 & ~goLeft0 & 1);
        const p1 = flags[n1];
        const x1 = values[o1 + (p1 >>> 2)];
        const goLeft1 = +(x1 < value[n1]) | ((p1 >>> 1) & +(x1 !== x1));
        n1 = left[n1] + (p1 & ~goLeft1 & 1);
        const p2 = flags[n2];
        const x2 = values[o2 + (p2 >>> 2)];
        const goLeft2 = +(x2 < value[n2]) | ((p2 >>> 1) & +(x2 !== x2));
        n2 = left[n2] + (p2 & ~goLeft2 & 1);
        const p3 = flags[n3];
        const x3 = values[o3 + (p3 >>> 2)];
        const goLeft3 = +(x3 < value[n3]) | ((p3 >>> 1) & +(x3 !== x3));
        n3 = left[n3] + (p3 & ~goLeft3 & 1);
      }
      margins[row] = fround(margins[row] + value[n0]);
      margins[row + 1] = fround(margins[row + 1] + value[n1]);
      margins[row + 2] = fround(margins[row + 2] + value[n2]);
      margins[row + 3] = fround(margins[row + 3] + value[n3]);
    }
    for (; row < rows; row++) {
      const offset = row * stride;
      let node = root;
      for (let step = 0; step < depth; step++) {
        const p = flags[node];
        const x = values[offset + (p >>> 2)];
        const goLeft = +(x < value[node]) | ((p >>> 1) & +(x !== x));
        node = left[node] + (p & ~goLeft & 1);
      }
      margins[row] = fround(margins[row] + value[node]);
    }
  }
}
