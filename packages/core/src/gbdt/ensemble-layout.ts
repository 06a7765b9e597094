import { EnsembleDescription } from './ensemble-description';
import { ModelFormatError, PredictionInputError } from './errors';
import { logitFloat32 } from './float32';
import { TreeEnsemble } from './tree-ensemble';
import { readXGBoostDocument } from './xgboost-document-reader';

/**
 * Every tree of an ensemble in one contiguous typed-array layout for fast batch scoring. Nodes
 * are renumbered breadth-first per tree so that a node's right child is its left child + 1;
 * nodes XGBoost's pruner left unreachable are dropped. A leaf is its own left child and carries
 * no "internal" flag, so a traversal may run a fixed number of steps (the tree's depth) and
 * simply stay on a leaf it reached early.
 */
export interface EnsembleLayout {
  /** Row width the model reads; every split feature is below it. */
  numFeature: number;
  /** The float32 margin every row starts from (see {@link baseMarginOf}). */
  baseMargin: number;
  /** Global index of each tree's root, in tree order. */
  treeRoots: Int32Array;
  /** Edges from root to deepest leaf of each tree (0 for a single-leaf tree). */
  treeDepths: Int32Array;
  /** Reachable node count of each tree. */
  treeNodeCounts: Int32Array;
  /** Global index of a node's left child (the right child follows it); a leaf's own index. */
  nodeLeftChild: Int32Array;
  /**
   * `feature << 2 | defaultLeft << 1 | internal`: packed so that one load per step gives the
   * feature to read, where a missing value goes, and whether the node is a leaf.
   */
  nodeFlags: Int32Array;
  /** Float32 threshold of an internal node, float32 leaf value of a leaf. */
  nodeValues: Float32Array;
}

/** Bit of {@link EnsembleLayout.nodeFlags} set on internal (split) nodes. */
export const INTERNAL_NODE_FLAG = 1;
/** Bit of {@link EnsembleLayout.nodeFlags} set when a missing value goes left. */
export const DEFAULT_LEFT_FLAG = 2;
/** Shift of the feature index inside {@link EnsembleLayout.nodeFlags}. */
export const FEATURE_SHIFT = 2;

/** Largest feature count the packed flags can address. */
const MAX_PACKED_FEATURES = 2 ** 29;

/**
 * The margin XGBoost starts every row from: `base_score` itself (float32) for
 * `binary:logitraw`, its float32 logit for the logistic objectives. Same rule as
 * {@link TreeEnsemble}.
 */
export function baseMarginOf(description: EnsembleDescription): number {
  return description.objective === 'binary:logitraw'
    ? Math.fround(description.baseScore)
    : logitFloat32(description.baseScore);
}

/**
 * The description behind a loaded ensemble, recovered through its public XGBoost document
 * (exact: the document holds the float32 values themselves). Trees are kept as they are; the
 * ensemble was already truncated to its best iteration when it was loaded.
 */
export function describeEnsemble(ensemble: TreeEnsemble): EnsembleDescription {
  // Known shortcoming: TreeEnsemble keeps its description private, so this round trip through
  // the document (a few milliseconds for hundreds of trees, once per model) stands in for a
  // public accessor.
  const description = readXGBoostDocument(ensemble.toXGBoostJson(), { useBestIteration: false });
  if (description.trees.length !== ensemble.numTrees) {
    throw new ModelFormatError(
      'learner.gradient_booster.model.trees',
      `the ensemble's document holds ${description.trees.length} trees, the ensemble scores ` +
        `${ensemble.numTrees}`,
    );
  }
  return description;
}

/** Lays out every tree of a validated description (see {@link EnsembleLayout}). */
export function layOutEnsemble(description: EnsembleDescription): EnsembleLayout {
  const { trees, numFeature } = description;
  if (numFeature >= MAX_PACKED_FEATURES) {
    throw new PredictionInputError(
      `num_feature ${numFeature} is too large for the flat layout (at most ${MAX_PACKED_FEATURES - 1})`,
    );
  }

  const treeNodeCounts = Int32Array.from(trees, (tree) =>
    reachableCount(tree.leftChildren, tree.rightChildren),
  );
  const total = treeNodeCounts.reduce((sum, count) => sum + count, 0);
  const layout: EnsembleLayout = {
    numFeature,
    baseMargin: baseMarginOf(description),
    treeRoots: new Int32Array(trees.length),
    treeDepths: new Int32Array(trees.length),
    treeNodeCounts,
    nodeLeftChild: new Int32Array(total),
    nodeFlags: new Int32Array(total),
    nodeValues: new Float32Array(total),
  };

  let next = 0;
  trees.forEach((tree, t) => {
    layout.treeRoots[t] = next;
    // Breadth-first: a node's children are given the next two free slots, side by side.
    const queue = [0];
    const depthOf = [0];
    const slotOf = [next++];
    for (let head = 0; head < queue.length; head++) {
      const node = queue[head];
      const slot = slotOf[head];
      const depth = depthOf[head];
      layout.nodeValues[slot] = tree.splitConditions[node];
      if (tree.leftChildren[node] === -1) {
        layout.nodeLeftChild[slot] = slot;
        layout.treeDepths[t] = Math.max(layout.treeDepths[t], depth);
        continue;
      }
      layout.nodeLeftChild[slot] = next;
      layout.nodeFlags[slot] =
        (tree.splitIndices[node] << FEATURE_SHIFT) |
        (tree.defaultLeft[node] === 1 ? DEFAULT_LEFT_FLAG : 0) |
        INTERNAL_NODE_FLAG;
      queue.push(tree.leftChildren[node], tree.rightChildren[node]);
      slotOf.push(next, next + 1);
      depthOf.push(depth + 1, depth + 1);
      next += 2;
    }
  });
  return layout;
}

function reachableCount(left: Int32Array, right: Int32Array): number {
  let count = 0;
  const stack = [0];
  while (stack.length > 0) {
    const node = stack.pop() as number;
    count++;
    if (left[node] !== -1) stack.push(left[node], right[node]);
  }
  return count;
}
