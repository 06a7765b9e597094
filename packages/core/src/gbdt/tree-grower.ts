import { FeatureBinning, splitThreshold } from './binning';
import { GbdtParameters } from './parameters';
import { SplitCandidate, findBestSplit } from './split-finder';
import { TrainingExecutor } from './training-executor';
import { BinnedTree, PARTITION_TASK_FIELDS } from './training-kernels';
import { HistogramArena, TrainingViews } from './training-memory';

/**
 * One trained tree in XGBoost's node layout: node 0 is the root, children are numbered in the
 * order nodes are split (breadth first), leaves have `left = right = -1` and carry their value
 * in `splitCondition`. Statistics are kept for the model file and for feature importance.
 */
export interface GrownTree {
  left: Int32Array;
  right: Int32Array;
  parent: Int32Array;
  feature: Int32Array;
  /** Value bins `<= splitBin` go left (training-time routing). */
  splitBin: Int32Array;
  /** Float32 threshold for internal nodes, float32 leaf value for leaves. */
  splitCondition: Float32Array;
  defaultLeft: Uint8Array;
  /** `-G / (H + λ)` before the learning rate (XGBoost `base_weights`). */
  baseWeight: Float32Array;
  lossChange: Float32Array;
  sumHessian: Float32Array;
}

/** What growing a tree needs besides the sampled rows and features. */
export interface TreeGrowthContext {
  views: TrainingViews;
  binning: FeatureBinning;
  executor: TrainingExecutor;
  arena: HistogramArena;
  parameters: GbdtParameters;
}

interface OpenNode {
  id: number;
  begin: number;
  end: number;
  gradient: number;
  hessian: number;
  depth: number;
  /** Histogram slot, or -1 when the node will not be split and needs none. */
  slot: number;
}

/** Node arrays growing as nodes are added. */
class NodeList {
  left: number[] = [];
  right: number[] = [];
  parent: number[] = [];
  feature: number[] = [];
  splitBin: number[] = [];
  splitCondition: number[] = [];
  defaultLeft: number[] = [];
  baseWeight: number[] = [];
  lossChange: number[] = [];
  sumHessian: number[] = [];

  constructor(private readonly parameters: GbdtParameters) {}

  /** Adds a node as a leaf; `split` turns it into an internal node later. */
  add(parent: number, gradient: number, hessian: number): number {
    const id = this.left.length;
    const denominator = hessian + this.parameters.l2Regularization;
    const weight = denominator > 0 ? -gradient / denominator : 0;
    this.left.push(-1);
    this.right.push(-1);
    this.parent.push(parent);
    this.feature.push(0);
    this.splitBin.push(0);
    this.splitCondition.push(Math.fround(this.parameters.learningRate * weight));
    this.defaultLeft.push(0);
    this.baseWeight.push(weight);
    this.lossChange.push(0);
    this.sumHessian.push(hessian);
    return id;
  }

  split(id: number, split: SplitCandidate, threshold: number, left: number, right: number): void {
    this.left[id] = left;
    this.right[id] = right;
    this.feature[id] = split.feature;
    this.splitBin[id] = split.splitBin;
    this.splitCondition[id] = threshold;
    this.defaultLeft[id] = split.defaultLeft ? 1 : 0;
    this.lossChange[id] = split.gain;
  }

  freeze(): GrownTree {
    return {
      left: Int32Array.from(this.left),
      right: Int32Array.from(this.right),
      parent: Int32Array.from(this.parent),
      feature: Int32Array.from(this.feature),
      splitBin: Int32Array.from(this.splitBin),
      splitCondition: Float32Array.from(this.splitCondition),
      defaultLeft: Uint8Array.from(this.defaultLeft),
      baseWeight: Float32Array.from(this.baseWeight),
      lossChange: Float32Array.from(this.lossChange),
      sumHessian: Float32Array.from(this.sumHessian),
    };
  }
}

/** XGBoost's parent id of the root. */
export const ROOT_PARENT = 2147483647;

/**
 * Grows one tree depth-wise over rows `rowIndex[0..rowCount)` and features `features`: each
 * level finds every open node's best split, partitions the rows, builds the histogram of the
 * smaller child of each split and derives the larger one by subtraction.
 */
export async function growTree(
  context: TreeGrowthContext,
  features: Int32Array,
  rowCount: number,
): Promise<GrownTree> {
  const { binning, executor, arena, parameters } = context;
  const nodes = new NodeList(parameters);

  const rootSlot = arena.allocate();
  await executor.buildHistograms(Int32Array.of(rootSlot, 0, rowCount, -1, -1), features, rowCount);
  const rootSums = histogramTotals(context, rootSlot, features[0]);
  const root: OpenNode = {
    id: nodes.add(ROOT_PARENT, rootSums.gradient, rootSums.hessian),
    begin: 0,
    end: rowCount,
    ...rootSums,
    depth: 0,
    slot: rootSlot,
  };

  let level: OpenNode[] = [root];
  while (level.length > 0) {
    const splits: LevelSplit[] = [];
    // Known shortcoming: minSplitGain (XGBoost's gamma) is applied before growing, to each
    // split on its own. XGBoost prunes bottom-up after growing, so there a weak split above a
    // strong one survives; here it is never made. With the default gamma 0 both agree.
    for (const node of level) {
      const split = node.slot < 0 ? null : bestSplit(context, node, features);
      if (split !== null && split.gain > parameters.minSplitGain) {
        splits.push({ node, split, childrenMaySplit: childrenMaySplit(node, split, parameters) });
      }
    }
    const leftCounts = await partitionLevel(executor, splits);

    const next: OpenNode[] = [];
    splits.forEach(({ node, split }, i) => {
      const middle = node.begin + leftCounts[i];
      const left = child(nodes, node, split.leftGradient, split.leftHessian, node.begin, middle);
      const right = child(nodes, node, split.rightGradient, split.rightHessian, middle, node.end);
      const threshold = splitThreshold(binning, split.feature, split.splitBin);
      nodes.split(node.id, split, threshold, left.id, right.id);
      next.push(left, right);
    });
    await buildChildHistograms(context, features, splits, next);
    for (const node of level) if (node.slot >= 0) arena.release(node.slot);
    level = next;
  }
  return nodes.freeze();
}

interface LevelSplit {
  node: OpenNode;
  split: SplitCandidate;
  /** False when both children will be leaves, so the node's rows need not be partitioned. */
  childrenMaySplit: boolean;
}

/** Partitions the rows of the splits whose children may split; other counts stay 0. */
async function partitionLevel(executor: TrainingExecutor, splits: LevelSplit[]) {
  const partitioned = splits.filter((entry) => entry.childrenMaySplit);
  const tasks = new Int32Array(partitioned.length * PARTITION_TASK_FIELDS);
  let rows = 0;
  partitioned.forEach(({ node, split }, i) => {
    const fields = [node.begin, node.end, split.feature, split.splitBin, split.defaultLeft ? 1 : 0];
    tasks.set(fields, i * PARTITION_TASK_FIELDS);
    rows += node.end - node.begin;
  });
  const counts = partitioned.length > 0 ? await executor.partitionRows(tasks, rows) : null;
  const leftCounts = new Int32Array(splits.length);
  let next = 0;
  splits.forEach((entry, i) => {
    if (entry.childrenMaySplit) leftCounts[i] = (counts as Int32Array)[next++];
  });
  return leftCounts;
}

/**
 * Gives a histogram to every child that may split: the smaller child of each pair is built
 * from its rows, the larger one derived as parent minus smaller when it needs one.
 */
async function buildChildHistograms(
  context: TreeGrowthContext,
  features: Int32Array,
  splits: LevelSplit[],
  children: OpenNode[],
): Promise<void> {
  const { arena, parameters, executor } = context;
  const tasks: number[] = [];
  let rows = 0;
  splits.forEach(({ node, childrenMaySplit }, i) => {
    const left = children[2 * i];
    const right = children[2 * i + 1];
    const leftSplittable = childrenMaySplit && splittable(left, parameters);
    const rightSplittable = childrenMaySplit && splittable(right, parameters);
    if (!leftSplittable && !rightSplittable) return;
    const leftSmaller = left.end - left.begin <= right.end - right.begin;
    const small = leftSmaller ? left : right;
    const large = leftSmaller ? right : left;
    small.slot = arena.allocate();
    if (leftSmaller ? rightSplittable : leftSplittable) large.slot = arena.allocate();
    tasks.push(small.slot, small.begin, small.end, node.slot, large.slot);
    rows += small.end - small.begin;
  });
  if (tasks.length > 0) await executor.buildHistograms(Int32Array.from(tasks), features, rows);

  // The smaller child may have been built only to derive its sibling.
  for (const node of children) {
    if (node.slot >= 0 && !splittable(node, parameters)) {
      arena.release(node.slot);
      node.slot = -1;
    }
  }
}

function childrenMaySplit(node: OpenNode, split: SplitCandidate, parameters: GbdtParameters) {
  const needed = 2 * parameters.minChildWeight;
  return (
    node.depth + 1 < parameters.maxDepth &&
    (split.leftHessian >= needed || split.rightHessian >= needed)
  );
}

/** The routing form of a grown tree, for the kernels. */
export function binnedTree(tree: GrownTree): BinnedTree {
  const leafValue = new Float32Array(tree.left.length);
  for (let node = 0; node < leafValue.length; node++) {
    if (tree.left[node] === -1) leafValue[node] = tree.splitCondition[node];
  }
  return {
    left: tree.left,
    right: tree.right,
    feature: tree.feature,
    splitBin: tree.splitBin,
    defaultLeft: tree.defaultLeft,
    leafValue,
  };
}

function child(
  nodes: NodeList,
  parent: OpenNode,
  gradient: number,
  hessian: number,
  begin: number,
  end: number,
): OpenNode {
  const id = nodes.add(parent.id, gradient, hessian);
  return { id, begin, end, gradient, hessian, depth: parent.depth + 1, slot: -1 };
}

/** Whether a node could still be split (so is worth a histogram). */
function splittable(node: OpenNode, parameters: GbdtParameters): boolean {
  return (
    node.depth < parameters.maxDepth &&
    node.end - node.begin >= 2 &&
    node.hessian >= 2 * parameters.minChildWeight
  );
}

function bestSplit(context: TreeGrowthContext, node: OpenNode, features: Int32Array) {
  const { page, offset } = context.arena.locate(node.slot);
  return findBestSplit(
    {
      histogram: page,
      offset,
      features,
      gradientSum: node.gradient,
      hessianSum: node.hessian,
      l2Regularization: context.parameters.l2Regularization,
      minChildWeight: context.parameters.minChildWeight,
    },
    context.binning,
  );
}

/** Gradient and hessian sums of a node, read from one feature's bins (every row is in one). */
function histogramTotals(context: TreeGrowthContext, slot: number, feature: number) {
  const { page, offset } = context.arena.locate(slot);
  const { binStride, valueBinCounts } = context.binning;
  const start = offset + 2 * feature * binStride;
  const stop = start + 2 * (valueBinCounts[feature] + 1);
  let gradient = 0;
  let hessian = 0;
  for (let at = start; at < stop; at += 2) {
    gradient += page[at];
    hessian += page[at + 1];
  }
  return { gradient, hessian };
}
