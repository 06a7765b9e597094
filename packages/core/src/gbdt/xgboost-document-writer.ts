import { EnsembleDescription, RegressionTree } from './ensemble-description';
import { formatFloat32 } from './float32';

/** The XGBoost release whose JSON layout the writer follows. */
export const WRITTEN_XGBOOST_VERSION: readonly [number, number, number] = [2, 1, 0];

/** A full XGBoost learner document (the object `Booster.save_model("*.json")` writes). */
export interface XGBoostModelDocument {
  learner: {
    attributes: Record<string, string>;
    feature_names: string[];
    feature_types: string[];
    gradient_booster: {
      model: {
        gbtree_model_param: { num_parallel_tree: string; num_trees: string };
        iteration_indptr: number[];
        tree_info: number[];
        trees: XGBoostTreeDocument[];
      };
      name: 'gbtree';
    };
    learner_model_param: {
      base_score: string;
      boost_from_average: string;
      num_class: string;
      num_feature: string;
      num_target: string;
    };
    objective: { name: string; reg_loss_param: { scale_pos_weight: string } };
  };
  version: number[];
}

/** One tree as XGBoost writes it (numbers as plain arrays). */
export interface XGBoostTreeDocument {
  base_weights: number[];
  categories: number[];
  categories_nodes: number[];
  categories_segments: number[];
  categories_sizes: number[];
  default_left: number[];
  id: number;
  left_children: number[];
  loss_changes: number[];
  parents: number[];
  right_children: number[];
  split_conditions: number[];
  split_indices: number[];
  split_type: number[];
  sum_hessian: number[];
  tree_param: {
    num_deleted: string;
    num_feature: string;
    num_nodes: string;
    size_leaf_vector: string;
  };
}

/**
 * Builds the document XGBoost 1.7+ `load_model` accepts: the 2.1 layout (one tree per
 * iteration, `iteration_indptr`, `size_leaf_vector` 1), which older readers also take since
 * they ignore fields they do not know. Feature types are all `float`; every tree is numerical.
 */
export function writeXGBoostDocument(description: EnsembleDescription): XGBoostModelDocument {
  const { trees, numFeature } = description;
  const featureTypes =
    description.featureTypes.length === numFeature
      ? description.featureTypes
      : description.featureNames.map(() => 'float');
  return {
    learner: {
      attributes: { ...description.attributes },
      feature_names: [...description.featureNames],
      feature_types: [...featureTypes],
      gradient_booster: {
        model: {
          gbtree_model_param: { num_parallel_tree: '1', num_trees: String(trees.length) },
          iteration_indptr: Array.from({ length: trees.length + 1 }, (_, i) => i),
          tree_info: trees.map(() => 0),
          trees: trees.map((tree, id) => writeTree(tree, id, numFeature)),
        },
        name: 'gbtree',
      },
      learner_model_param: {
        base_score: formatFloat32(description.baseScore),
        boost_from_average: '1',
        num_class: '0',
        num_feature: String(numFeature),
        num_target: '1',
      },
      objective: { name: description.objective, reg_loss_param: { scale_pos_weight: '1' } },
    },
    version: [...WRITTEN_XGBOOST_VERSION],
  };
}

function writeTree(tree: RegressionTree, id: number, numFeature: number): XGBoostTreeDocument {
  const count = tree.leftChildren.length;
  return {
    base_weights: Array.from(tree.baseWeights),
    categories: [],
    categories_nodes: [],
    categories_segments: [],
    categories_sizes: [],
    default_left: Array.from(tree.defaultLeft),
    id,
    left_children: Array.from(tree.leftChildren),
    loss_changes: Array.from(tree.lossChanges),
    parents: Array.from(tree.parents),
    right_children: Array.from(tree.rightChildren),
    split_conditions: Array.from(tree.splitConditions),
    split_indices: Array.from(tree.splitIndices),
    split_type: new Array<number>(count).fill(0),
    sum_hessian: Array.from(tree.sumHessian),
    tree_param: {
      num_deleted: String(tree.numDeleted),
      num_feature: String(numFeature),
      num_nodes: String(count),
      size_leaf_vector: '1',
    },
  };
}
