import * as fs from 'node:fs';
import * as path from 'node:path';

import { CompiledEnsemble } from './compiled-ensemble';
import { coveringRows } from './covering-rows';
import { numberLiteral } from './ensemble-codegen';
import { describeEnsemble, layOutEnsemble } from './ensemble-layout';
import { PredictionInputError } from './errors';
import { FlatEnsemble } from './flat-ensemble';
import { syntheticBinarySet } from './synthetic-data';
import { trainGbdt } from './trainer';
import { TreeEnsemble } from './tree-ensemble';

interface ReferenceCase {
  row: Array<number | null>;
  margin?: number;
  prob: number;
}

const vector = JSON.parse(
  fs.readFileSync(path.join(__dirname, 'testdata', 'reference-vector.json'), 'utf8'),
) as { model: Record<string, unknown>; cases: ReferenceCase[] };

/** A scorer under test, named for failure messages. */
type Scorer = CompiledEnsemble | FlatEnsemble;

function scorersOf(model: TreeEnsemble): Array<[string, Scorer]> {
  return [
    ['compiled', CompiledEnsemble.from(model)],
    ['compiled, flat strategy', CompiledEnsemble.from(model, { strategy: 'flat' })],
    ['flat', FlatEnsemble.from(model)],
  ];
}

/** Index of the first entry that differs bit for bit (Object.is), or -1. */
function firstDifference(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  for (let i = 0; i < expected.length; i++) if (!Object.is(actual[i], expected[i])) return i;
  return actual.length === expected.length ? -1 : expected.length;
}

/**
 * Checks every row's margin and probability, batch and single-row, against the reference
 * traversal; reports the first differing row so a failure says where to look.
 */
function expectIdenticalScores(
  model: TreeEnsemble,
  values: Float32Array,
  rows: number,
  columns = model.numFeature,
): void {
  const expectedMargins = new Float64Array(rows);
  const expectedProbabilities = new Float64Array(rows);
  for (let row = 0; row < rows; row++) {
    const slice = values.subarray(row * columns, (row + 1) * columns);
    expectedMargins[row] = model.predictMargin(slice);
    expectedProbabilities[row] = model.predictProbability(slice);
  }

  for (const [name, scorer] of scorersOf(model)) {
    const margins = scorer.predictMargins(values, rows, undefined, columns);
    const probabilities = scorer.predictProbabilities(values, rows, undefined, columns);
    const single = Array.from({ length: Math.min(rows, 200) }, (_, row) =>
      scorer.predictMargin(values.subarray(row * columns, (row + 1) * columns)),
    );
    expect({ name, margins: firstDifference(margins, expectedMargins) }).toEqual({
      name,
      margins: -1,
    });
    expect({ name, probabilities: firstDifference(probabilities, expectedProbabilities) }).toEqual({
      name,
      probabilities: -1,
    });
    expect({
      name,
      single: firstDifference(single, expectedMargins.subarray(0, single.length)),
    }).toEqual({ name, single: -1 });
  }
}

const bits = new Float32Array(1);
const bitsAsInt = new Int32Array(bits.buffer);

/** The float32 next to `value` towards +∞ (`direction` 1) or −∞ (-1). */
function nextFloat32(value: number, direction: 1 | -1): number {
  bits[0] = value;
  if (value === 0) return direction * 1.401298464324817e-45;
  bitsAsInt[0] += value > 0 === direction > 0 ? 1 : -1;
  return bits[0];
}

/**
 * Rows that stress routing: data rows whose features are overwritten, at random, with a split
 * threshold of that feature, the float32 just below or above it, a missing value, ±∞ or ±0.
 */
function probeRows(
  model: TreeEnsemble,
  base: Float32Array,
  rows: number,
  seed: number,
  columns = model.numFeature,
) {
  const thresholds: number[][] = Array.from({ length: columns }, () => []);
  for (const tree of describeEnsemble(model).trees) {
    for (let node = 0; node < tree.leftChildren.length; node++) {
      if (tree.leftChildren[node] !== -1) {
        thresholds[tree.splitIndices[node]].push(tree.splitConditions[node]);
      }
    }
  }
  let state = seed;
  const random = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  const values = base.slice(0, rows * columns);
  for (let i = 0; i < values.length; i++) {
    const feature = i % columns;
    const choice = random();
    const own = thresholds[feature];
    const threshold = own.length > 0 ? own[Math.floor(random() * own.length)] : 0;
    if (choice < 0.3) values[i] = threshold;
    else if (choice < 0.4) values[i] = nextFloat32(threshold, -1);
    else if (choice < 0.5) values[i] = nextFloat32(threshold, 1);
    else if (choice < 0.6) values[i] = NaN;
    else if (choice < 0.62) values[i] = [Infinity, -Infinity, 0, -0][Math.floor(random() * 4)];
  }
  return values;
}

describe('CompiledEnsemble and FlatEnsemble on the reference §6 test vector (XGBoost 1.7.4)', () => {
  const model = TreeEnsemble.fromXGBoostJson(vector.model);

  it('give every case the recorded margin and probability, bit for bit', () => {
    for (const [name, scorer] of scorersOf(model)) {
      for (const testCase of vector.cases) {
        expect({ name, p: scorer.predictProbability(testCase.row) }).toEqual({
          name,
          p: testCase.prob,
        });
        if (testCase.margin !== undefined) {
          expect(Object.is(scorer.predictMargin(testCase.row), testCase.margin)).toBe(true);
        }
      }
    }
  });

  it('score the cases as one batch exactly like the reference, nulls read as missing', () => {
    const values = Float32Array.from(vector.cases.flatMap((c) => c.row.map((x) => x ?? NaN)));
    expectIdenticalScores(model, values, vector.cases.length);
    expect(CompiledEnsemble.from(model).predictProbabilities(values, 5)[0]).toBe(
      vector.cases[0].prob,
    );
  });

  it('round a double just below a threshold onto it, as the reference does (case 4)', () => {
    const row = vector.cases[4].row;
    expect(row[2]).toBeLessThan(Math.fround(0.20882861));
    for (const [, scorer] of scorersOf(model)) {
      expect(scorer.predictProbability(row)).toBe(vector.cases[4].prob);
    }
  });
});

describe.each([
  { depth: 2, trees: 10 },
  { depth: 4, trees: 60 },
  { depth: 6, trees: 300 },
  { depth: 8, trees: 40 },
])('a trained model of depth $depth with $trees trees', ({ depth, trees }) => {
  const train = syntheticBinarySet(4_000, 8, depth);
  const data = syntheticBinarySet(2_000, 8, 100 + depth).matrix.values;
  let model: TreeEnsemble;

  beforeAll(async () => {
    const result = await trainGbdt(train, {
      parameters: { rounds: trees, maxDepth: depth, threads: 1, learningRate: 0.3 },
    });
    model = result.model;
  });

  it('is scored bit for bit like the reference on rows with missing values and thresholds', () => {
    expect(model.numTrees).toBe(trees);
    expectIdenticalScores(model, probeRows(model, data, 2_000, depth), 2_000);
  });

  it('is scored alike after a round trip through XGBoost JSON text', () => {
    const loaded = TreeEnsemble.fromXGBoostJson(model.toXGBoostJsonText());
    expectIdenticalScores(loaded, probeRows(loaded, data, 300, depth + 1), 300);
  });

  it('is compiled entirely into generated code', () => {
    const compiled = CompiledEnsemble.from(model);
    expect(compiled.compiledTrees).toBe(trees);
    expect(compiled.fallbackReason).toBeUndefined();
  });

  it('has covering rows that reach every leaf of every tree', () => {
    const layout = layOutEnsemble(describeEnsemble(model));
    const { values, rows } = coveringRows(layout, 0, layout.treeRoots.length);
    const reached = new Set<number>();
    for (let row = 0; row < rows; row++) {
      const slice = values.subarray(row * layout.numFeature, (row + 1) * layout.numFeature);
      model.predictLeafIndices(slice).forEach((leaf, tree) => reached.add(tree * 1e6 + leaf));
    }
    let leaves = 0;
    for (const tree of describeEnsemble(model).trees) {
      leaves += tree.leftChildren.filter((child) => child === -1).length - tree.numDeleted;
    }
    expect(reached.size).toBe(leaves);
  });
});

describe('an XGBoost document with deleted nodes and children out of order', () => {
  /**
   * The reference model with tree 1 renumbered (right child not left + 1, children stored
   * before their parents' siblings) and two unreachable nodes left in its arrays, as XGBoost's
   * pruner leaves them. The unreachable leaves hold 1e30, which would show in any margin.
   */
  function prunedDocument(): Record<string, unknown> {
    const document = structuredClone(vector.model) as {
      learner: { gradient_booster: { model: { trees: Array<Record<string, unknown[]>> } } };
    };
    const tree = document.learner.gradient_booster.model.trees[1];
    // New position of each old node; positions 2 and 7 are the deleted nodes.
    const position = [0, 5, 1, 8, 3, 6, 4];
    const size = 9;
    const renumber = (id: number) => (id === -1 ? -1 : position[id]);
    const fields = ['left_children', 'right_children', 'split_indices', 'default_left'];
    const out: Record<string, unknown[]> = {};
    for (const name of [...fields, 'split_type', 'split_conditions']) {
      out[name] = new Array(size).fill(0);
    }
    out.left_children.fill(-1);
    out.right_children.fill(-1);
    out.split_conditions[2] = 1e30;
    out.split_conditions[7] = 1e30;
    for (let old = 0; old < 7; old++) {
      const at = position[old];
      out.left_children[at] = renumber(tree.left_children[old] as number);
      out.right_children[at] = renumber(tree.right_children[old] as number);
      for (const name of ['split_indices', 'default_left', 'split_type', 'split_conditions']) {
        out[name][at] = tree[name][old];
      }
    }
    document.learner.gradient_booster.model.trees[1] = {
      ...out,
      tree_param: { num_nodes: '9', num_deleted: '2', size_leaf_vector: '1' },
    } as unknown as Record<string, unknown[]>;
    return document as unknown as Record<string, unknown>;
  }

  it('is read with right children that do not follow their left siblings', () => {
    const tree = describeEnsemble(TreeEnsemble.fromXGBoostJson(prunedDocument())).trees[1];
    expect(Array.from(tree.leftChildren)).toEqual([5, 6, -1, -1, -1, 8, -1, -1, -1]);
    expect(Array.from(tree.rightChildren)).toEqual([1, 4, -1, -1, -1, 3, -1, -1, -1]);
    expect(tree.numDeleted).toBe(2);
  });

  it('scores exactly like the reference and like the unpruned model', () => {
    const pruned = TreeEnsemble.fromXGBoostJson(prunedDocument());
    const original = TreeEnsemble.fromXGBoostJson(vector.model);
    const values = probeRows(pruned, syntheticBinarySet(500, 3, 9).matrix.values, 500, 3);
    expectIdenticalScores(pruned, values, 500);
    for (let row = 0; row < 500; row++) {
      const slice = values.subarray(row * 3, row * 3 + 3);
      expect(Object.is(pruned.predictMargin(slice), original.predictMargin(slice))).toBe(true);
    }
  });

  it('leaves the deleted nodes out of the flat layout', () => {
    const layout = layOutEnsemble(describeEnsemble(TreeEnsemble.fromXGBoostJson(prunedDocument())));
    expect(Array.from(layout.treeNodeCounts)).toEqual([7, 7, 7]);
    expect(Array.from(layout.nodeValues)).not.toContain(Math.fround(1e30));
  });
});

describe('generated code and batch inputs', () => {
  const model = TreeEnsemble.fromXGBoostJson(vector.model);

  it('writes every float32 as a literal that evaluates to exactly that value', () => {
    const specials = [0, -0, 1.401298464324817e-45, -3.4028234663852886e38, Infinity, -Infinity];
    const randomFloats = Array.from({ length: 2_000 }, (_, i) => {
      bits[0] = 0;
      bitsAsInt[0] = Math.imul(i + 1, 2654435761) & 0x7f7fffff;
      return (i % 2 === 0 ? 1 : -1) * bits[0];
    });
    for (const value of [...specials, ...randomFloats]) {
      const evaluated = new Function(`return ${numberLiteral(value)};`)() as number;
      expect({ value, same: Object.is(evaluated, value) }).toEqual({ value, same: true });
    }
    expect(Number.isNaN(new Function(`return ${numberLiteral(NaN)};`)())).toBe(true);
  });

  it('reads rows with more columns than the model and writes into a given array', () => {
    const values = probeRows(model, syntheticBinarySet(400, 5, 4).matrix.values, 400, 5, 5);
    expectIdenticalScores(model, values, 400, 5);
    const out = new Float64Array(450).fill(7);
    const compiled = CompiledEnsemble.from(model);
    expect(compiled.predictMargins(values, 400, out, 5)).toBe(out);
    expect(out[400]).toBe(7);
    expect(compiled.predictMargins(values, 0)).toEqual(new Float64Array(0));
  });

  it('refuses batches whose sizes do not add up, naming the numbers', () => {
    const compiled = CompiledEnsemble.from(model);
    const values = new Float32Array(30);
    expect(() => compiled.predictMargins(values, 11)).toThrow(PredictionInputError);
    expect(() => compiled.predictMargins(values, 11)).toThrow(
      'values holds 30 numbers, 11 rows × 3 columns need 33',
    );
    expect(() => compiled.predictMargins(values, -1)).toThrow(/rows must be a non-negative/);
    expect(() => compiled.predictMargins(values, 1.5)).toThrow(/got 1.5/);
    expect(() => compiled.predictMargins(values, 5, undefined, 2)).toThrow(
      "columns must be an integer of at least the model's 3 features, got 2",
    );
    expect(() => compiled.predictMargins(values, 10, new Float64Array(9))).toThrow(
      'out holds 9 entries, 10 rows need 10',
    );
    expect(() => compiled.predictMargin([0.1, 0.2])).toThrow(/row has 2 values, the model needs 3/);
  });

  it('scores trees too deep to compile with the flat kernel, in tree order with the others', () => {
    // A 60-deep chain: each internal node 2i has leaf 2i + 1 on the left, node 2i + 2 right.
    const depth = 60;
    const size = 2 * depth + 1;
    const chain = {
      left_children: Array.from({ length: size }, (_, n) =>
        n % 2 === 0 && n < size - 1 ? n + 1 : -1,
      ),
      right_children: Array.from({ length: size }, (_, n) =>
        n % 2 === 0 && n < size - 1 ? n + 2 : -1,
      ),
      split_indices: Array.from({ length: size }, (_, n) => ((n / 2) % 3) | 0),
      default_left: Array.from({ length: size }, (_, n) => (n % 4 === 0 ? 1 : 0)),
      split_type: new Array(size).fill(0),
      split_conditions: Array.from({ length: size }, (_, n) =>
        n % 2 === 0 ? -1 + n / size : Math.fround(0.001 * (n - depth)),
      ),
    };
    const document = structuredClone(vector.model) as {
      learner: { gradient_booster: { model: { tree_info: number[]; trees: unknown[] } } };
    };
    const booster = document.learner.gradient_booster.model;
    booster.trees.splice(1, 0, chain);
    booster.tree_info = [0, 0, 0, 0];
    const mixed = TreeEnsemble.fromXGBoostJson(document);

    const compiled = CompiledEnsemble.from(mixed);
    expect(compiled.numTrees).toBe(4);
    expect(compiled.compiledTrees).toBe(3);
    const values = probeRows(mixed, syntheticBinarySet(1_000, 3, 8).matrix.values, 1_000, 8);
    expectIdenticalScores(mixed, values, 1_000);
  });

  it('falls back to the flat kernel everywhere when the runtime refuses generated code', () => {
    jest.isolateModules(() => {
      jest.doMock('./ensemble-codegen', () => ({
        ...jest.requireActual<object>('./ensemble-codegen'),
        compileTreeRange: () => {
          throw new EvalError('Code generation from strings disallowed for this context');
        },
      }));
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const isolated = require('./compiled-ensemble') as typeof import('./compiled-ensemble');
      const refused = isolated.CompiledEnsemble.from(model);
      expect(refused.compiledTrees).toBe(0);
      expect(refused.fallbackReason).toMatch(/code generation failed: EvalError: Code generation/);
      for (const testCase of vector.cases) {
        expect(refused.predictProbability(testCase.row)).toBe(testCase.prob);
      }
    });
  });

  it('warms up without changing what it scores', () => {
    const compiled = CompiledEnsemble.from(model);
    const values = Float32Array.from(vector.cases.flatMap((c) => c.row.map((x) => x ?? NaN)));
    const before = compiled.predictMargins(values, 5);
    const report = compiled.warmUp(300, 50);
    expect(report.batchMilliseconds.length).toBeGreaterThan(0);
    expect(report.batchMilliseconds.every((milliseconds) => milliseconds >= 0)).toBe(true);
    if (report.settled) expect(report.batchMilliseconds.length).toBeGreaterThanOrEqual(20);
    expect(compiled.predictMargins(values, 5)).toEqual(before);
  });
});
