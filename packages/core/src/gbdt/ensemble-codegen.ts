import {
  DEFAULT_LEFT_FLAG,
  EnsembleLayout,
  FEATURE_SHIFT,
  INTERNAL_NODE_FLAG,
} from './ensemble-layout';

/**
 * Adds the leaves of a fixed range of trees into `margins` (float32 sums in tree order) for
 * `rows` rows of the row-major `values`, `stride` values per row.
 */
export type TreeRangeKernel = (
  values: Float32Array,
  rows: number,
  stride: number,
  margins: Float64Array,
) => void;

/**
 * Generates and compiles (with `new Function`) a kernel for trees `firstTree` up to (not
 * including) `endTree` of a layout: per row, the features the trees read are loaded once into
 * locals, then every tree is one nested conditional expression over literal thresholds, added
 * to the row's margin with `Math.fround`. Throws whatever the runtime throws when it refuses
 * to compile code from strings (an `EvalError` under `--disallow-code-generation-from-strings`).
 *
 * Exactness: thresholds and leaves are float32 values written as the shortest decimal of the
 * double holding them, which reads back to the same double; a row value read from a
 * Float32Array is a float32, so `x < t` is XGBoost's float32 comparison. A node whose missing
 * values go left tests `!(x >= t)` (true for NaN), one whose missing values go right tests
 * `x < t` (false for NaN).
 *
 * Safety: the source holds only numbers this module formats (thresholds, leaves and feature
 * indices from typed arrays) and fixed text; nothing of a model document reaches it as text.
 */
export function compileTreeRange(
  layout: EnsembleLayout,
  firstTree: number,
  endTree: number,
): TreeRangeKernel {
  const source = treeRangeSource(layout, firstTree, endTree);
  const factory = new Function('fround', source) as (fround: (x: number) => number) => unknown;
  return factory(Math.fround) as TreeRangeKernel;
}

/** The JavaScript source {@link compileTreeRange} compiles (the body of a factory function). */
export function treeRangeSource(
  layout: EnsembleLayout,
  firstTree: number,
  endTree: number,
): string {
  const features = featuresRead(layout, firstTree, endTree);
  const loads =
    features.length === 0
      ? ''
      : `const ${features.map((feature) => `x${feature} = v[o + ${feature}]`).join(', ')};`;
  const trees: string[] = [];
  for (let tree = firstTree; tree < endTree; tree++) {
    trees.push(`m = fround(m + ${nodeExpression(layout, layout.treeRoots[tree])});`);
  }
  // The function is named for its trees so that profiles and V8's traces say which ones run.
  return [
    `return function trees${firstTree}to${endTree - 1}(v, rows, stride, out) {`,
    '  for (let r = 0, o = 0; r < rows; r++, o += stride) {',
    `    ${loads}`,
    '    let m = out[r];',
    ...trees.map((line) => `    ${line}`),
    '    out[r] = m;',
    '  }',
    '};',
  ].join('\n');
}

function featuresRead(layout: EnsembleLayout, firstTree: number, endTree: number): number[] {
  const { treeRoots, treeNodeCounts, nodeFlags } = layout;
  const read = new Set<number>();
  for (let tree = firstTree; tree < endTree; tree++) {
    const end = treeRoots[tree] + treeNodeCounts[tree];
    for (let node = treeRoots[tree]; node < end; node++) {
      if (nodeFlags[node] & INTERNAL_NODE_FLAG) read.add(nodeFlags[node] >>> FEATURE_SHIFT);
    }
  }
  return [...read].sort((a, b) => a - b);
}

function nodeExpression(layout: EnsembleLayout, node: number): string {
  const flags = layout.nodeFlags[node];
  const value = layout.nodeValues[node];
  if ((flags & INTERNAL_NODE_FLAG) === 0) return numberLiteral(value);

  const x = `x${flags >>> FEATURE_SHIFT}`;
  const threshold = numberLiteral(value);
  let goesLeft: string;
  if (flags & DEFAULT_LEFT_FLAG) {
    // With a NaN threshold only a missing value goes left (the reference's comparison fails).
    goesLeft = value !== value ? `${x} !== ${x}` : `!(${x} >= ${threshold})`;
  } else {
    goesLeft = `${x} < ${threshold}`;
  }
  const left = layout.nodeLeftChild[node];
  return `(${goesLeft} ? ${nodeExpression(layout, left)} : ${nodeExpression(layout, left + 1)})`;
}

/** A source literal that evaluates to exactly `value`, sign of zero included. */
export function numberLiteral(value: number): string {
  if (Object.is(value, -0)) return '-0';
  if (value !== value) return '(0 / 0)';
  if (value === Infinity) return '(1 / 0)';
  if (value === -Infinity) return '(-1 / 0)';
  return String(value);
}
