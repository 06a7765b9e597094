import { RegressionTree } from './ensemble-description';
import {
  CategoricalSplitsNotSupportedError,
  ModelFormatError,
  MultiOutputNotSupportedError,
} from './errors';
import {
  booleanArray,
  field,
  floatArray,
  integerArray,
  integerOf,
  objectOf,
  optionalField,
} from './document-fields';

/** XGBoost's parent id of the root node. */
const NO_PARENT = 2147483647;

/**
 * Reads one tree of a parsed XGBoost document (`learner.gradient_booster.model.trees[i]`):
 * refuses categorical splits and vector leaves, checks array lengths and the tree's structure,
 * and fills statistics it lacks with zeros (`hasStatistics` says whether it had them).
 */
export function readTree(
  document: unknown,
  path: string,
  numFeature: number,
): { tree: RegressionTree; hasStatistics: boolean } {
  const fields = new TreeFields(objectOf(document, path), path);
  const treeParam = fields.treeParam();
  checkNumericalSplits(fields.tree, path);

  const leftChildren = Int32Array.from(fields.integers('left_children') as number[]);
  const count = leftChildren.length;
  if (count === 0) {
    throw new ModelFormatError(`${path}.left_children`, 'a tree needs at least one node');
  }
  if (treeParam.nodes !== undefined && treeParam.nodes !== count) {
    throw new ModelFormatError(
      `${path}.tree_param.num_nodes`,
      `is ${treeParam.nodes} but left_children has ${count} nodes`,
    );
  }
  fields.count = count;
  const rightChildren = Int32Array.from(fields.integers('right_children') as number[]);
  const splitIndices = Int32Array.from(fields.integers('split_indices') as number[]);
  const splitConditions = Float32Array.from(fields.floats('split_conditions') as number[]);
  const defaultLeft = Uint8Array.from(fields.flags('default_left'));
  const baseWeights = fields.floats('base_weights', false);
  const lossChanges = fields.floats('loss_changes', false);
  const sumHessian = fields.floats('sum_hessian', false);
  const parents = fields.integers('parents', false);

  const reached = checkStructure(
    path,
    leftChildren,
    rightChildren,
    splitIndices,
    splitConditions,
    numFeature,
  );
  const orZeros = (values: number[] | null) =>
    values ? Float32Array.from(values) : new Float32Array(count);
  return {
    tree: {
      leftChildren,
      rightChildren,
      parents: parents
        ? Int32Array.from(parents)
        : parentsFromChildren(leftChildren, rightChildren),
      splitIndices,
      splitConditions,
      defaultLeft,
      baseWeights: orZeros(baseWeights),
      lossChanges: orZeros(lossChanges),
      sumHessian: orZeros(sumHessian),
      numDeleted: treeParam.deleted ?? count - reached,
    },
    hasStatistics: lossChanges !== null && sumHessian !== null,
  };
}

/** Reads a tree's fields, checking each array against the node count once it is known. */
class TreeFields {
  /** Node count; -1 until `left_children` has been read. */
  count = -1;

  constructor(
    readonly tree: Record<string, unknown>,
    private readonly path: string,
  ) {}

  /** `tree_param` (optional in the reference test vector); refuses vector leaves. */
  treeParam(): { nodes?: number; deleted?: number } {
    const value = optionalField(this.tree, 'tree_param');
    if (value === undefined) return {};
    const path = `${this.path}.tree_param`;
    const param = objectOf(value, path);
    const read = (key: string) => {
      const item = optionalField(param, key);
      return item === undefined ? undefined : integerOf(item, `${path}.${key}`);
    };
    const leafSize = read('size_leaf_vector');
    if (leafSize !== undefined && leafSize > 1) {
      throw new MultiOutputNotSupportedError(
        `${path}.size_leaf_vector`,
        `vector leaves of size ${leafSize}`,
      );
    }
    return { nodes: read('num_nodes'), deleted: read('num_deleted') };
  }

  integers(name: string, required = true): number[] | null {
    const value = this.value(name, required);
    return value === undefined
      ? null
      : this.sized(integerArray(value, `${this.path}.${name}`), name);
  }

  floats(name: string, required = true): number[] | null {
    const value = this.value(name, required);
    return value === undefined ? null : this.sized(floatArray(value, `${this.path}.${name}`), name);
  }

  flags(name: string): number[] {
    return this.sized(
      booleanArray(field(this.tree, name, this.path), `${this.path}.${name}`),
      name,
    );
  }

  private value(name: string, required: boolean): unknown {
    return required ? field(this.tree, name, this.path) : optionalField(this.tree, name);
  }

  private sized(values: number[], name: string): number[] {
    if (this.count < 0 || values.length === this.count) return values;
    if (name === 'base_weights' && values.length > this.count) {
      throw new MultiOutputNotSupportedError(
        `${this.path}.base_weights`,
        `${values.length} base weights for ${this.count} nodes (vector leaves)`,
      );
    }
    throw new ModelFormatError(
      `${this.path}.${name}`,
      `has ${values.length} entries, expected ${this.count}`,
    );
  }
}

function checkNumericalSplits(tree: Record<string, unknown>, path: string): void {
  const splitType = optionalField(tree, 'split_type');
  if (splitType !== undefined) {
    const types = integerArray(splitType, `${path}.split_type`);
    const node = types.findIndex((type) => type !== 0);
    if (node >= 0) {
      throw new CategoricalSplitsNotSupportedError(
        `${path}.split_type[${node}]`,
        `node ${node} has split_type ${types[node]}`,
      );
    }
  }
  const categoryNodes = optionalField(tree, 'categories_nodes');
  if (
    categoryNodes !== undefined &&
    integerArray(categoryNodes, `${path}.categories_nodes`).length > 0
  ) {
    throw new CategoricalSplitsNotSupportedError(
      `${path}.categories_nodes`,
      'the tree lists categorical nodes',
    );
  }
}

/**
 * Walks the tree from the root: child ids in range, no node reached twice (no cycles), split
 * features below `num_feature`, finite thresholds and leaf values. Unreachable (deleted) nodes
 * are left alone. Returns the number of reachable nodes.
 */
function checkStructure(
  path: string,
  left: Int32Array,
  right: Int32Array,
  splitIndices: Int32Array,
  splitConditions: Float32Array,
  numFeature: number,
): number {
  const count = left.length;
  const seen = new Uint8Array(count);
  const stack = [0];
  let reached = 0;
  while (stack.length > 0) {
    const node = stack.pop() as number;
    if (seen[node])
      throw new ModelFormatError(
        `${path}`,
        `node ${node} is reached twice (the children form a cycle or share a node)`,
      );
    seen[node] = 1;
    reached++;
    if (!Number.isFinite(splitConditions[node])) {
      throw new ModelFormatError(
        `${path}.split_conditions[${node}]`,
        `is ${splitConditions[node]}`,
      );
    }
    if (left[node] === -1) continue;
    for (const [name, childId] of [
      ['left_children', left[node]],
      ['right_children', right[node]],
    ] as const) {
      if (childId < 1 || childId >= count) {
        throw new ModelFormatError(
          `${path}.${name}[${node}]`,
          `child id ${childId} is outside 1..${count - 1}`,
        );
      }
      stack.push(childId);
    }
    const feature = splitIndices[node];
    if (feature < 0 || feature >= numFeature) {
      throw new ModelFormatError(
        `${path}.split_indices[${node}]`,
        `feature ${feature} is not below num_feature ${numFeature}`,
      );
    }
  }
  return reached;
}

function parentsFromChildren(left: Int32Array, right: Int32Array): Int32Array {
  const parents = new Int32Array(left.length).fill(NO_PARENT);
  for (let node = 0; node < left.length; node++) {
    for (const childId of [left[node], right[node]]) {
      if (childId > 0 && childId < left.length) parents[childId] = node;
    }
  }
  return parents;
}
