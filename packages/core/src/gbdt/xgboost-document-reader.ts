import {
  EnsembleDescription,
  SUPPORTED_OBJECTIVES,
  SupportedObjective,
} from './ensemble-description';
import {
  BoosterNotSupportedError,
  CategoricalSplitsNotSupportedError,
  ModelFormatError,
  MultiOutputNotSupportedError,
  ObjectiveNotSupportedError,
} from './errors';
import {
  field,
  integerArray,
  integerOf,
  isPresent,
  objectOf,
  optionalField,
  stringArray,
  stringOf,
} from './document-fields';
import { readTree } from './xgboost-tree-reader';

/** Options of reading an XGBoost model document. */
export interface XGBoostReadOptions {
  /**
   * Keep only the trees up to `learner.attributes.best_iteration` when the document records one
   * (what XGBoost's early stopping means by "the best model"). @default true
   */
  useBestIteration?: boolean;
}

/**
 * Reads a parsed XGBoost model document (the object `save_model("*.json")` writes, or the same
 * tree decoded from UBJSON: arrays may be plain or typed) into an {@link EnsembleDescription},
 * refusing what gfr cannot score exactly. Text parsing lives elsewhere so that any decoder can
 * feed this walker.
 */
export function readXGBoostDocument(
  document: unknown,
  options: XGBoostReadOptions = {},
): EnsembleDescription {
  const root = objectOf(document, '$');
  const learner = objectOf(field(root, 'learner', '$'), 'learner');

  const booster = objectOf(
    field(learner, 'gradient_booster', 'learner'),
    'learner.gradient_booster',
  );
  const boosterName = stringOf(
    field(booster, 'name', 'learner.gradient_booster'),
    'learner.gradient_booster.name',
  );
  // Known shortcoming: `dart` is refused too; its trees would need per-tree weight_drop scaling
  // whose float32 rounding has not been checked against XGBoost.
  if (boosterName !== 'gbtree') {
    throw new BoosterNotSupportedError('learner.gradient_booster.name', boosterName);
  }

  const paramsPath = 'learner.learner_model_param';
  const params = objectOf(field(learner, 'learner_model_param', 'learner'), paramsPath);
  const numClass = isPresent(params.num_class)
    ? integerOf(params.num_class, `${paramsPath}.num_class`)
    : 0;
  if (numClass > 1) {
    throw new MultiOutputNotSupportedError(`${paramsPath}.num_class`, `num_class is ${numClass}`);
  }
  const numTarget = isPresent(params.num_target)
    ? integerOf(params.num_target, `${paramsPath}.num_target`)
    : 1;
  if (numTarget > 1) {
    throw new MultiOutputNotSupportedError(
      `${paramsPath}.num_target`,
      `num_target is ${numTarget}`,
    );
  }
  // After the output count: a multi-class model's objective (multi:softprob) is refused too,
  // but "num_class is 3" says more.
  const objective = readObjective(learner);
  const numFeature = integerOf(
    field(params, 'num_feature', paramsPath),
    `${paramsPath}.num_feature`,
  );
  if (numFeature < 0) throw new ModelFormatError(`${paramsPath}.num_feature`, `is ${numFeature}`);
  const baseScore = parseBaseScore(field(params, 'base_score', paramsPath), objective);

  const featureNames = isPresent(learner.feature_names)
    ? stringArray(learner.feature_names, 'learner.feature_names')
    : [];
  const featureTypes = isPresent(learner.feature_types)
    ? stringArray(learner.feature_types, 'learner.feature_types')
    : [];
  checkFeatureTypes(featureTypes);
  if (featureNames.length > 0 && featureNames.length !== numFeature) {
    throw new ModelFormatError(
      'learner.feature_names',
      `${featureNames.length} names for num_feature ${numFeature}`,
    );
  }

  const modelPath = 'learner.gradient_booster.model';
  const model = objectOf(field(booster, 'model', 'learner.gradient_booster'), modelPath);
  const treeDocuments = field(model, 'trees', modelPath);
  if (!Array.isArray(treeDocuments)) {
    throw new ModelFormatError(`${modelPath}.trees`, 'expected an array');
  }
  checkTreeInfo(model, treeDocuments.length, modelPath);
  let hasStatistics = true;
  const trees = treeDocuments.map((tree, t) => {
    const parsed = readTree(tree, `${modelPath}.trees[${t}]`, numFeature);
    hasStatistics &&= parsed.hasStatistics;
    return parsed.tree;
  });

  const attributes = readAttributes(learner);
  const kept =
    options.useBestIteration === false
      ? trees.length
      : treesToKeep(model, attributes, trees.length);
  return {
    objective,
    baseScore,
    numFeature,
    featureNames,
    featureTypes,
    attributes,
    trees: trees.slice(0, kept),
    hasStatistics,
  };
}

/**
 * Parses `base_score` in every stored form: `"5E-1"` (1.7), a scalar string (2.x, 3.0), a
 * one-element array inside the string `"[5E-1]"` (3.1+), or a plain number.
 */
export function parseBaseScore(value: unknown, objective: SupportedObjective): number {
  const path = 'learner.learner_model_param.base_score';
  let values: unknown[];
  if (typeof value === 'number') {
    values = [value];
  } else if (typeof value === 'string') {
    const text = value.trim();
    try {
      values = text.startsWith('[')
        ? (JSON.parse(text) as unknown[])
        : [text === '' ? NaN : Number(text)];
    } catch (error) {
      throw new ModelFormatError(path, `cannot parse '${value}'`, { cause: error });
    }
  } else {
    throw new ModelFormatError(path, `expected a string, got ${typeof value}`);
  }
  if (!Array.isArray(values) || values.length !== 1) {
    throw new MultiOutputNotSupportedError(
      path,
      `base_score '${String(value)}' has ${Array.isArray(values) ? values.length : 0} values, expected 1`,
    );
  }
  const score = Math.fround(Number(values[0]));
  const logistic = objective !== 'binary:logitraw';
  if (!Number.isFinite(score) || (logistic && !(score > 0 && score < 1))) {
    const expected = logistic ? 'a probability in (0, 1)' : 'a finite number';
    throw new ModelFormatError(path, `'${String(value)}' is not ${expected}`);
  }
  return score;
}

function readObjective(learner: Record<string, unknown>): SupportedObjective {
  const objective = objectOf(field(learner, 'objective', 'learner'), 'learner.objective');
  const name = stringOf(field(objective, 'name', 'learner.objective'), 'learner.objective.name');
  if (!(SUPPORTED_OBJECTIVES as readonly string[]).includes(name)) {
    throw new ObjectiveNotSupportedError('learner.objective.name', name, SUPPORTED_OBJECTIVES);
  }
  return name as SupportedObjective;
}

function checkFeatureTypes(types: string[]): void {
  const categorical = types.findIndex((type) => type === 'c' || type === 'categorical');
  if (categorical >= 0) {
    throw new CategoricalSplitsNotSupportedError(
      `learner.feature_types[${categorical}]`,
      `feature ${categorical} has type '${types[categorical]}'`,
    );
  }
}

function checkTreeInfo(model: Record<string, unknown>, treeCount: number, modelPath: string): void {
  const treeInfo = integerArray(field(model, 'tree_info', modelPath), `${modelPath}.tree_info`);
  if (treeInfo.length !== treeCount) {
    throw new ModelFormatError(
      `${modelPath}.tree_info`,
      `${treeInfo.length} entries for ${treeCount} trees`,
    );
  }
  const group = treeInfo.findIndex((value) => value !== 0);
  if (group >= 0) {
    throw new MultiOutputNotSupportedError(
      `${modelPath}.tree_info[${group}]`,
      `tree ${group} belongs to output group ${treeInfo[group]}`,
    );
  }
}

function readAttributes(learner: Record<string, unknown>): Record<string, string> {
  if (!isPresent(learner.attributes)) return {};
  const attributes = objectOf(learner.attributes, 'learner.attributes');
  return Object.fromEntries(
    Object.entries(attributes).map(([key, value]) => [
      key,
      stringOf(value, `learner.attributes.${key}`),
    ]),
  );
}

/** How many trees `best_iteration` keeps (all of them when it is absent). */
function treesToKeep(
  model: Record<string, unknown>,
  attributes: Record<string, string>,
  treeCount: number,
): number {
  if (attributes.best_iteration === undefined) return treeCount;
  const best = Number(attributes.best_iteration);
  if (!Number.isInteger(best) || best < 0) {
    throw new ModelFormatError(
      'learner.attributes.best_iteration',
      `'${attributes.best_iteration}' is not a non-negative integer`,
    );
  }
  const modelPath = 'learner.gradient_booster.model';
  if (isPresent(model.iteration_indptr)) {
    const indptr = integerArray(model.iteration_indptr, `${modelPath}.iteration_indptr`);
    if (best + 1 < indptr.length) return Math.min(treeCount, indptr[best + 1]);
    return treeCount;
  }
  let perIteration = 1;
  const param = optionalField(model, 'gbtree_model_param');
  if (param !== undefined) {
    const path = `${modelPath}.gbtree_model_param`;
    const parallel = optionalField(objectOf(param, path), 'num_parallel_tree');
    if (parallel !== undefined)
      perIteration = Math.max(1, integerOf(parallel, `${path}.num_parallel_tree`));
  }
  return Math.min(treeCount, (best + 1) * perIteration);
}
