import * as fs from 'node:fs';
import * as path from 'node:path';

import {
  BoosterNotSupportedError,
  CategoricalSplitsNotSupportedError,
  ModelFormatError,
  MultiOutputNotSupportedError,
  ObjectiveNotSupportedError,
  PredictionInputError,
} from './errors';
import { featureMatrixFromRows } from './feature-matrix';
import { logitFloat32, sigmoidFloat32 } from './float32';
import { TreeEnsemble } from './tree-ensemble';

interface ReferenceCase {
  row: Array<number | null>;
  leaves: number[];
  margin?: number;
  prob: number;
}

interface VectorTree {
  left_children: number[];
  right_children: number[];
  split_indices: number[];
  default_left: Array<number | boolean>;
  split_type: number[];
  split_conditions: number[];
  tree_param?: Record<string, string>;
  base_weights?: number[];
}

interface VectorModel {
  learner: {
    feature_names: string[];
    feature_types?: string[];
    attributes?: Record<string, string>;
    learner_model_param: Record<string, string>;
    objective: { name: string };
    gradient_booster: {
      name: string;
      model: { tree_info: number[]; trees: VectorTree[]; iteration_indptr?: number[] };
    };
  };
}

const vector = JSON.parse(
  fs.readFileSync(path.join(__dirname, 'testdata', 'reference-vector.json'), 'utf8'),
) as { model: VectorModel; cases: ReferenceCase[] };

/** A fresh deep copy of the reference model, to mutate in one test. */
function referenceModel(): VectorModel {
  return structuredClone(vector.model);
}

describe('TreeEnsemble scoring (reference §6 test vector, XGBoost 1.7.4)', () => {
  const model = TreeEnsemble.fromXGBoostJson(vector.model);

  it.each(vector.cases.map((c, i) => [i, c] as const))(
    'case %i reaches the same leaves and the bit-identical probability',
    (_, testCase) => {
      expect(Array.from(model.predictLeafIndices(testCase.row))).toEqual(testCase.leaves);
      expect(model.predictProbability(testCase.row)).toBe(testCase.prob);
      if (testCase.margin !== undefined) {
        expect(model.predictMargin(testCase.row)).toBe(testCase.margin);
      }
    },
  );

  it('sends a double just below a threshold right when it rounds onto it in float32', () => {
    const below = vector.cases[4].row;
    expect(below[2]).toBeLessThan(Math.fround(0.20882861));
    expect(model.predictLeafIndices(below)[0]).toBe(6);
  });

  it('scores a matrix row by row exactly like predictProbability', () => {
    const matrix = featureMatrixFromRows(
      vector.cases.map((c) => c.row),
      ['ctr_7d', 'age_days', 'dwell_z'],
    );
    const probabilities = model.predictProbabilities(matrix);
    vector.cases.forEach((c, i) => expect(probabilities[i]).toBe(Math.fround(c.prob)));
  });

  it('parses the same model from JSON text and from the parsed object', () => {
    const fromText = TreeEnsemble.fromXGBoostJson(JSON.stringify(vector.model));
    expect(fromText.predictMargin(vector.cases[0].row)).toBe(vector.cases[0].margin);
    expect(fromText.numTrees).toBe(3);
    expect(fromText.featureNames).toEqual(['ctr_7d', 'age_days', 'dwell_z']);
  });

  it('refuses rows shorter than num_feature and matrices with other columns', () => {
    expect(() => model.predictMargin([0.1, 0.2])).toThrow(PredictionInputError);
    const renamed = featureMatrixFromRows([[0, 0, 0]], ['ctr_7d', 'age', 'dwell_z']);
    expect(() => model.predictProbabilities(renamed)).toThrow(/column 1 is 'age'.*'age_days'/);
  });

  it('counts splits per feature for weight importance and refuses gain without statistics', () => {
    expect(model.featureImportance('weight')).toEqual({ ctr_7d: 5, age_days: 0, dwell_z: 4 });
    expect(() => model.featureImportance('gain')).toThrow(/no loss_changes/);
  });
});

describe('TreeEnsemble.fromXGBoostJson base_score forms', () => {
  it.each([['5E-1'], ['0.5'], ['[5E-1]'], [' [0.5] ']])('reads base_score %j as 0.5', (stored) => {
    const document = referenceModel();
    document.learner.learner_model_param.base_score = stored;
    const model = TreeEnsemble.fromXGBoostJson(document);
    expect(model.baseScore).toBe(0.5);
    const leafSum = Math.fround(Math.fround(Math.fround(0.059783395) - 0.2916238) + 0.042502373);
    expect(model.predictMargin([0.8, -0.5, null])).toBeCloseTo(leafSum, 6);
  });

  it('refuses a base_score with one value per class', () => {
    const document = referenceModel();
    document.learner.learner_model_param.base_score = '[5E-1,5E-1]';
    expect(() => TreeEnsemble.fromXGBoostJson(document)).toThrow(MultiOutputNotSupportedError);
  });

  it.each([['abc'], ['1.5'], ['0']])('refuses base_score %j for a logistic model', (stored) => {
    const document = referenceModel();
    document.learner.learner_model_param.base_score = stored;
    expect(() => TreeEnsemble.fromXGBoostJson(document)).toThrow(
      /base_score: '.*' is not a probability in \(0, 1\)/,
    );
  });

  it('starts binary:logitraw models from the raw base_score and reg:logistic from its logit', () => {
    const raw = referenceModel();
    raw.learner.objective.name = 'binary:logitraw';
    raw.learner.learner_model_param.base_score = '-2E0';
    const logistic = referenceModel();
    logistic.learner.objective.name = 'reg:logistic';
    const row = [0.8, -0.5, null];
    const leaves = TreeEnsemble.fromXGBoostJson(raw).predictMargin(row) + 2;
    expect(leaves).toBeCloseTo(-0.189338, 5);
    expect(TreeEnsemble.fromXGBoostJson(logistic).predictMargin(row)).toBe(vector.cases[0].margin);
    expect(logitFloat32(0.25)).toBe(Math.fround(-1.0986123));
  });
});

describe('TreeEnsemble.fromXGBoostJson refusals', () => {
  const refuse = (mutate: (document: VectorModel) => void) => {
    const document = referenceModel();
    mutate(document);
    return () => TreeEnsemble.fromXGBoostJson(document);
  };
  const trees = (document: VectorModel) => document.learner.gradient_booster.model.trees;

  it('refuses categorical split types, naming the node', () => {
    expect(refuse((d) => (trees(d)[1].split_type[0] = 1))).toThrow(
      CategoricalSplitsNotSupportedError,
    );
    expect(refuse((d) => (trees(d)[1].split_type[0] = 1))).toThrow(/trees\[1\]\.split_type\[0\]/);
  });

  it('refuses categorical feature types', () => {
    expect(refuse((d) => (d.learner.feature_types = ['float', 'c', 'float']))).toThrow(
      /feature_types\[1\].*categorical splits are not supported/,
    );
  });

  it('says "categorical" for the bare NaN token XGBoost <= 3.0 writes, not a JSON syntax error', () => {
    const document = referenceModel();
    trees(document)[0].split_type[0] = 1;
    const text = JSON.stringify(document).replace('[0.20882861,', '[NaN,');
    expect(text).toContain('[NaN,');
    expect(() => JSON.parse(text)).toThrow(SyntaxError);
    expect(() => TreeEnsemble.fromXGBoostJson(text)).toThrow(CategoricalSplitsNotSupportedError);
  });

  it('refuses a bare NaN threshold in a numerical node with the field path', () => {
    const text = JSON.stringify(referenceModel()).replace('[0.20882861,', '[NaN,');
    expect(() => TreeEnsemble.fromXGBoostJson(text)).toThrow(
      /trees\[0\]\.split_conditions\[0\]: is NaN/,
    );
  });

  it.each([
    ['num_class 3', (d: VectorModel) => (d.learner.learner_model_param.num_class = '3')],
    ['num_target 2', (d: VectorModel) => (d.learner.learner_model_param.num_target = '2')],
    [
      'a tree of another output group',
      (d: VectorModel) => (d.learner.gradient_booster.model.tree_info = [0, 1, 0]),
    ],
    [
      'vector leaves',
      (d: VectorModel) => (trees(d)[0].tree_param = { num_nodes: '7', size_leaf_vector: '2' }),
    ],
    [
      'more base weights than nodes',
      (d: VectorModel) => (trees(d)[2].base_weights = new Array(14).fill(0)),
    ],
  ])('refuses multi-output models: %s', (_, mutate) => {
    expect(refuse(mutate)).toThrow(MultiOutputNotSupportedError);
  });

  it('refuses gblinear and dart boosters', () => {
    expect(refuse((d) => (d.learner.gradient_booster.name = 'gblinear'))).toThrow(
      /booster 'gblinear' is not supported/,
    );
    expect(refuse((d) => (d.learner.gradient_booster.name = 'dart'))).toThrow(
      BoosterNotSupportedError,
    );
  });

  it('refuses objectives other than the logistic ones', () => {
    expect(refuse((d) => (d.learner.objective.name = 'reg:squarederror'))).toThrow(
      ObjectiveNotSupportedError,
    );
    expect(refuse((d) => (d.learner.objective.name = 'multi:softprob'))).toThrow(
      /objective 'multi:softprob' is not supported: .*logistic link \(binary:logistic/,
    );
  });

  it('refuses split features at or beyond num_feature', () => {
    expect(refuse((d) => (trees(d)[2].split_indices[2] = 3))).toThrow(
      /trees\[2\]\.split_indices\[2\]: feature 3 is not below num_feature 3/,
    );
  });

  it('refuses child ids out of range and cycles', () => {
    expect(refuse((d) => (trees(d)[0].right_children[1] = 7))).toThrow(
      /trees\[0\]\.right_children\[1\]: child id 7 is outside 1\.\.6/,
    );
    expect(refuse((d) => (trees(d)[0].left_children[2] = 1))).toThrow(/node 1 is reached twice/);
    expect(refuse((d) => (trees(d)[0].left_children[1] = 0))).toThrow(ModelFormatError);
  });

  it('refuses arrays whose lengths disagree and missing required fields', () => {
    expect(refuse((d) => trees(d)[1].default_left.pop())).toThrow(
      /trees\[1\]\.default_left: has 6 entries, expected 7/,
    );
    expect(refuse((d) => delete (trees(d)[0] as Partial<VectorTree>).split_conditions)).toThrow(
      /trees\[0\]\.split_conditions: required field is missing/,
    );
    expect(refuse((d) => delete d.learner.learner_model_param.num_feature)).toThrow(
      /num_feature: required field is missing/,
    );
    expect(() => TreeEnsemble.fromXGBoostJson('{"learner": ')).toThrow(/not valid JSON/);
  });

  it('accepts default_left as booleans', () => {
    const document = referenceModel();
    for (const tree of trees(document)) {
      tree.default_left = tree.default_left.map((flag) => flag === 1);
    }
    const model = TreeEnsemble.fromXGBoostJson(document);
    expect(model.predictProbability(vector.cases[0].row)).toBe(vector.cases[0].prob);
  });
});

describe('TreeEnsemble best_iteration truncation', () => {
  it('keeps trees up to best_iteration unless told not to', () => {
    const document = referenceModel();
    document.learner.attributes = { best_iteration: '0' };
    const truncated = TreeEnsemble.fromXGBoostJson(document);
    expect(truncated.numTrees).toBe(1);
    expect(truncated.predictMargin([0.8, -0.5, null])).toBe(
      Math.fround(logitFloat32(0.25) + Math.fround(0.059783395)),
    );
    expect(TreeEnsemble.fromXGBoostJson(document, { useBestIteration: false }).numTrees).toBe(3);
  });

  it('follows iteration_indptr when the document has one', () => {
    const document = referenceModel();
    document.learner.attributes = { best_iteration: '1' };
    document.learner.gradient_booster.model.iteration_indptr = [0, 1, 2, 3];
    expect(TreeEnsemble.fromXGBoostJson(document).numTrees).toBe(2);
  });

  it('refuses a best_iteration that is not an integer', () => {
    const document = referenceModel();
    document.learner.attributes = { best_iteration: 'two' };
    expect(() => TreeEnsemble.fromXGBoostJson(document)).toThrow(/best_iteration: 'two'/);
  });
});

describe('float32 sigmoid', () => {
  it('saturates like XGBoost instead of overflowing', () => {
    expect(sigmoidFloat32(-1000)).toBeGreaterThan(0);
    expect(sigmoidFloat32(1000)).toBe(1);
    expect(sigmoidFloat32(0)).toBe(0.5);
  });
});
