import { coveringRows } from './covering-rows';
import { EnsembleDescription } from './ensemble-description';
import { TreeRangeKernel, compileTreeRange } from './ensemble-codegen';
import { EnsembleLayout, describeEnsemble, layOutEnsemble } from './ensemble-layout';
import { addTreeLeaves } from './flat-ensemble';
import { LayoutScorer } from './layout-scorer';
import { checkRowBatch } from './row-batch';
import { TreeEnsemble } from './tree-ensemble';

/** How {@link CompiledEnsemble} scores: generated code where it can, else the flat kernel. */
export interface CompileOptions {
  /**
   * `compiled` generates a function per run of trees (falling back to the flat kernel for
   * trees too large to compile well, or everywhere when the runtime refuses to compile code
   * from strings); `flat` never generates code. @default 'compiled'
   */
  strategy?: 'compiled' | 'flat';
  /**
   * Run every generated function over rows that pass every split (see {@link coveringRows})
   * before returning, so that V8 never meets an unseen comparison in optimized code and throws
   * that code away mid-traffic. Costs tens of milliseconds for hundreds of trees, and leaves
   * the functions optimized or about to be. @default true
   */
  recordFeedback?: boolean;
}

/**
 * Trees of more nodes than this are scored by the flat kernel: V8 does not optimize functions
 * beyond about 60 kB of bytecode, and one tree must fit in one function.
 */
export const MAX_COMPILED_TREE_NODES = 2047;

/**
 * Deeper trees are scored by the flat kernel: their nested expressions would be deeper than
 * code generation should recurse.
 */
export const MAX_COMPILED_TREE_DEPTH = 48;

/**
 * Trees are grouped into one generated function until it holds this many nodes (a depth-6
 * tree has up to 127): large enough that the per-row feature loads are shared by several
 * trees, small enough to stay well under V8's optimization limit. 512 to 2048 measured alike.
 */
export const COMPILED_FUNCTION_NODE_BUDGET = 1024;

/** V8's `--interrupt-budget-factor-for-feedback-allocation` (8), with a margin. */
const FEEDBACK_ALLOCATION_FACTOR = 10;

/** Bounds the warm-up of very shallow trees, whose rows pass few splits. */
const MAX_FEEDBACK_PASSES = 16;

/** Batches that must all run near the fastest speed seen for a warm-up to count as settled. */
export const SETTLED_BATCHES = 10;

/** What {@link CompiledEnsemble.warmUp} did. */
export interface WarmUpReport {
  /** Milliseconds of each warm-up batch, in order. */
  batchMilliseconds: number[];
  /** Whether the speed levelled off before the time ran out. */
  settled: boolean;
}

/** A run of consecutive trees scored by one kernel. */
interface Segment {
  firstTree: number;
  endTree: number;
  /** Generated kernel, or null for the flat kernel. */
  kernel: TreeRangeKernel | null;
}

/**
 * The fast scorer of a tree ensemble: bit-identical to {@link TreeEnsemble.predictMargin} and
 * `predictProbability` (float32 comparisons, equality goes right, missing values follow the
 * default direction, float32 sums in tree order from the float32 base margin, XGBoost's
 * float32 sigmoid), several times faster on batches of rows. Trees are compiled into
 * JavaScript functions of literal thresholds (see {@link compileTreeRange}); trees too large to
 * compile, or all of them when the runtime refuses generated code, are scored by the flat
 * typed-array kernel ({@link addTreeLeaves}), which gives the same results.
 *
 * One instance per thread. The single-row methods share a scratch row, which is safe because
 * scoring is synchronous.
 */
export class CompiledEnsemble extends LayoutScorer {
  private readonly segments: Segment[];

  /** Why no tree runs as generated code, when none does (e.g. the runtime refused it). */
  readonly fallbackReason: string | undefined;

  private constructor(layout: EnsembleLayout, options: CompileOptions) {
    super(layout);
    const strategy = options.strategy ?? 'compiled';
    let fallbackReason: string | undefined =
      strategy === 'flat' ? 'the flat strategy was asked for' : undefined;
    let segments: Segment[];
    try {
      segments = planSegments(layout, strategy).map(({ firstTree, endTree, compile }) => ({
        firstTree,
        endTree,
        kernel: compile ? compileTreeRange(layout, firstTree, endTree) : null,
      }));
    } catch (error) {
      fallbackReason = `code generation failed: ${String(error)}`;
      segments = [{ firstTree: 0, endTree: layout.treeRoots.length, kernel: null }];
    }
    this.segments = segments;
    this.fallbackReason = fallbackReason;
    if (options.recordFeedback ?? true) this.runCoveringRows();
  }

  /** Compiles a loaded ensemble. */
  static from(ensemble: TreeEnsemble, options: CompileOptions = {}): CompiledEnsemble {
    return new CompiledEnsemble(layOutEnsemble(describeEnsemble(ensemble)), options);
  }

  /** Compiles an already validated description (from the trainer or a document reader). */
  static fromDescription(
    description: EnsembleDescription,
    options: CompileOptions = {},
  ): CompiledEnsemble {
    return new CompiledEnsemble(layOutEnsemble(description), options);
  }

  /** Row width the model reads. */
  get numFeature(): number {
    return this.layout.numFeature;
  }

  /** Number of trees scored. */
  get numTrees(): number {
    return this.layout.treeRoots.length;
  }

  /** How many trees run as generated code (the others run on the flat kernel). */
  get compiledTrees(): number {
    return this.segments.reduce(
      (sum, segment) => sum + (segment.kernel ? segment.endTree - segment.firstTree : 0),
      0,
    );
  }

  /**
   * Raw scores (float32 values in a Float64Array) of `rows` rows of the row-major `values`,
   * `columns` values per row (default: the model's features), NaN meaning missing. Writes into
   * `out` when given, else into a new array.
   */
  predictMargins(
    values: Float32Array,
    rows: number,
    out?: Float64Array,
    columns = this.layout.numFeature,
  ): Float64Array {
    const margins = checkRowBatch(values, rows, columns, this.layout.numFeature, out);
    margins.fill(this.layout.baseMargin, 0, rows);
    for (const { firstTree, endTree, kernel } of this.segments) {
      if (kernel) kernel(values, rows, columns, margins);
      else addTreeLeaves(this.layout, firstTree, endTree, values, rows, columns, margins);
    }
    return margins;
  }

  /**
   * Scores batches of `rowsPerBatch` rows that pass every split (drawn from
   * {@link coveringRows}) until V8 has compiled the generated functions to optimized code, so
   * that live traffic does not pay for it: a fresh 300-tree ensemble takes a second or more of
   * background compilation, and batches run several times slower until it is done. Stops once
   * the speed has levelled off (the last {@link SETTLED_BATCHES} batches all within 25 % of the
   * fastest) or after `maxMilliseconds`. Returns each batch's milliseconds. Scores are never
   * affected, only speed.
   */
  warmUp(maxMilliseconds = 5_000, rowsPerBatch = 500): WarmUpReport {
    const { values: covering, rows: available } = coveringRows(this.layout, 0, this.numTrees);
    const width = this.layout.numFeature;
    const batch = new Float32Array(rowsPerBatch * width);
    const margins = new Float64Array(rowsPerBatch);
    const batchMilliseconds: number[] = [];
    const deadline = performance.now() + maxMilliseconds;
    let fastest = Infinity;
    for (let index = 0; performance.now() < deadline; index++) {
      // Each batch starts elsewhere in the covering rows, so every leaf is visited over time.
      for (let row = 0; row < rowsPerBatch && available > 0; row++) {
        const source = (index * rowsPerBatch + row) % available;
        batch.set(covering.subarray(source * width, (source + 1) * width), row * width);
      }
      const start = performance.now();
      this.predictMargins(batch, rowsPerBatch, margins);
      const milliseconds = performance.now() - start;
      batchMilliseconds.push(milliseconds);
      fastest = Math.min(fastest, milliseconds);
      if (isSettled(batchMilliseconds, fastest)) return { batchMilliseconds, settled: true };
    }
    return { batchMilliseconds, settled: false };
  }

  private runCoveringRows(): void {
    for (const { firstTree, endTree, kernel } of this.segments) {
      if (!kernel) continue;
      const { values, rows, splitsPassed } = coveringRows(this.layout, firstTree, endTree);
      const margins = new Float64Array(rows);
      // V8 allocates a function's feedback vector only after it has run about eight times its
      // own bytecode, and a split's bytecode is about the size of one step through it: pass
      // the rows until that much has run, then once more with every split recording.
      let nodes = 0;
      for (let tree = firstTree; tree < endTree; tree++) nodes += this.layout.treeNodeCounts[tree];
      const passes =
        Math.min(
          MAX_FEEDBACK_PASSES,
          Math.ceil((FEEDBACK_ALLOCATION_FACTOR * nodes) / Math.max(1, splitsPassed)),
        ) + 1;
      for (let pass = 0; pass < passes; pass++) {
        kernel(values, rows, this.layout.numFeature, margins);
      }
    }
  }
}

function isSettled(batchMilliseconds: number[], fastest: number): boolean {
  // At least twice the window, so that the fastest batch is not itself part of a slow start.
  if (batchMilliseconds.length < 2 * SETTLED_BATCHES) return false;
  const recent = batchMilliseconds.slice(-SETTLED_BATCHES);
  return recent.every((milliseconds) => milliseconds <= 1.25 * fastest);
}

/** Groups consecutive trees: compiled runs within the node budget, flat runs for the rest. */
function planSegments(
  layout: EnsembleLayout,
  strategy: 'compiled' | 'flat',
): Array<{ firstTree: number; endTree: number; compile: boolean }> {
  const { treeNodeCounts, treeDepths } = layout;
  const count = treeNodeCounts.length;
  if (strategy === 'flat') return [{ firstTree: 0, endTree: count, compile: false }];

  const segments: Array<{ firstTree: number; endTree: number; compile: boolean }> = [];
  let nodes = 0;
  for (let tree = 0; tree < count; tree++) {
    const compile =
      treeNodeCounts[tree] <= MAX_COMPILED_TREE_NODES &&
      treeDepths[tree] <= MAX_COMPILED_TREE_DEPTH;
    const current = segments[segments.length - 1];
    const fits = !compile || nodes + treeNodeCounts[tree] <= COMPILED_FUNCTION_NODE_BUDGET;
    if (current && current.compile === compile && fits) {
      current.endTree = tree + 1;
      nodes += treeNodeCounts[tree];
    } else {
      segments.push({ firstTree: tree, endTree: tree + 1, compile });
      nodes = treeNodeCounts[tree];
    }
  }
  return segments;
}
