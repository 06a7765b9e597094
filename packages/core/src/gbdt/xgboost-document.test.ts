import { featureMatrixFromRows } from './feature-matrix';
import { formatFloat32 } from './float32';
import { syntheticBinarySet } from './synthetic-data';
import { trainGbdt } from './trainer';
import { TreeEnsemble } from './tree-ensemble';
import { XGBoostModelDocument } from './xgboost-document-writer';
import { parseXGBoostJsonText } from './xgboost-json-text';

describe('formatFloat32', () => {
  it.each([
    [0, '0E0'],
    [-0, '-0E0'],
    [0.5, '5E-1'],
    [1, '1E0'],
    [-2, '-2E0'],
    [Math.fround(0.20882861), '2.0882861E-1'],
    [Math.fround(1.2960715), '1.2960715E0'],
    [Math.fround(123456.7), '1.234567E5'],
    [3.4028234663852886e38, '3.4028235E38'],
  ])('writes %p as %s', (value, text) => {
    expect(formatFloat32(value)).toBe(text);
  });

  it('writes text that reads back to the same float32 for random values', () => {
    let seed = 7;
    for (let i = 0; i < 20_000; i++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      const bits = new Uint32Array([seed]);
      const value = new Float32Array(bits.buffer)[0];
      if (!Number.isFinite(value)) continue;
      const text = formatFloat32(value);
      if (!/^-?\d(\.\d+)?E-?\d+$/.test(text) || Math.fround(Number(text)) !== value) {
        throw new Error(`${value} written as ${text}`);
      }
    }
  });

  it('refuses non-finite values', () => {
    expect(() => formatFloat32(NaN)).toThrow(/non-finite/);
  });
});

describe('TreeEnsemble.toXGBoostJson for a trained model', () => {
  let model: TreeEnsemble;
  let document: XGBoostModelDocument;
  let text: string;

  beforeAll(async () => {
    const train = syntheticBinarySet(3_000, 5, 31);
    const validation = syntheticBinarySet(1_000, 5, 32);
    const result = await trainGbdt(train, {
      parameters: { rounds: 12, maxDepth: 3, threads: 1 },
      validation,
    });
    model = result.model;
    document = model.toXGBoostJson();
    text = model.toXGBoostJsonText();
  });

  it('has the learner fields XGBoost load_model reads, with parameters as strings', () => {
    const { learner, version } = document;
    expect(version).toEqual([2, 1, 0]);
    expect(learner.objective).toEqual({
      name: 'binary:logistic',
      reg_loss_param: { scale_pos_weight: '1' },
    });
    expect(learner.learner_model_param).toEqual({
      base_score: formatFloat32(model.baseScore),
      boost_from_average: '1',
      num_class: '0',
      num_feature: '5',
      num_target: '1',
    });
    expect(learner.feature_names).toEqual(['x0', 'x1', 'x2', 'x3', 'x4']);
    expect(learner.feature_types).toEqual(['float', 'float', 'float', 'float', 'float']);
    expect(Object.values(learner.attributes).every((value) => typeof value === 'string')).toBe(
      true,
    );
    expect(learner.attributes.best_iteration).toBe(String(model.numTrees - 1));
    expect(learner.gradient_booster.name).toBe('gbtree');
    const booster = learner.gradient_booster.model;
    expect(booster.gbtree_model_param).toEqual({
      num_parallel_tree: '1',
      num_trees: String(model.numTrees),
    });
    expect(booster.tree_info).toEqual(new Array(model.numTrees).fill(0));
    expect(booster.iteration_indptr).toEqual(
      Array.from({ length: model.numTrees + 1 }, (_, i) => i),
    );
  });

  it('writes every tree with consistent arrays, ids, parents and tree_param', () => {
    document.learner.gradient_booster.model.trees.forEach((tree, id) => {
      const nodes = tree.left_children.length;
      expect(tree.id).toBe(id);
      expect(tree.tree_param).toEqual({
        num_deleted: '0',
        num_feature: '5',
        num_nodes: String(nodes),
        size_leaf_vector: '1',
      });
      for (const field of [
        'right_children',
        'parents',
        'split_indices',
        'split_conditions',
        'split_type',
        'default_left',
        'base_weights',
        'loss_changes',
        'sum_hessian',
      ] as const) {
        expect(tree[field]).toHaveLength(nodes);
      }
      expect(tree.categories).toEqual([]);
      expect(tree.categories_nodes).toEqual([]);
      expect(tree.categories_segments).toEqual([]);
      expect(tree.categories_sizes).toEqual([]);
      expect(tree.parents[0]).toBe(2147483647);
      tree.left_children.forEach((left, node) => {
        if (left === -1) {
          expect(tree.right_children[node]).toBe(-1);
          expect(tree.loss_changes[node]).toBe(0);
        } else {
          expect(tree.parents[left]).toBe(node);
          expect(tree.parents[tree.right_children[node]]).toBe(node);
          expect(tree.loss_changes[node]).toBeGreaterThan(0);
        }
      });
    });
  });

  it('writes float fields in float form so that XGBoost does not read them as integers', () => {
    const floatArrays = text.match(
      /"(split_conditions|base_weights|loss_changes|sum_hessian)":\[[^\]]*\]/g,
    ) as string[];
    expect(floatArrays.length).toBe(4 * model.numTrees);
    for (const array of floatArrays) {
      const numbers = array.slice(array.indexOf('[') + 1, -1).split(',');
      for (const number of numbers) expect(number).toMatch(/E/);
    }
    expect(text).toMatch(/"left_children":\[1,3,/);
    expect(text).toMatch(/"default_left":\[[01],/);
  });

  it('reads back into a model with the same predictions and importances', () => {
    const reloaded = TreeEnsemble.fromXGBoostJson(text);
    const matrix = syntheticBinarySet(500, 5, 33).matrix;
    const before = model.predictMargins(matrix);
    const after = reloaded.predictMargins(matrix);
    expect(after.every((margin, i) => Object.is(margin, before[i]))).toBe(true);
    expect(reloaded.featureImportance('gain')).toEqual(model.featureImportance('gain'));
    expect(reloaded.toXGBoostJsonText()).toBe(text);
    expect(parseXGBoostJsonText(text)).toEqual(JSON.parse(text));
  });

  it('reports XGBoost-style importance: weight counts, gain and cover average, totals sum', () => {
    const weight = model.featureImportance('weight');
    const gain = model.featureImportance('gain');
    const total = model.featureImportance('total_gain');
    for (const feature of Object.keys(weight)) {
      expect(total[feature]).toBeCloseTo(gain[feature] * weight[feature], 3);
    }
    expect(Object.keys(weight)).toEqual(['x0', 'x1', 'x2', 'x3', 'x4']);
  });
});

describe('a model whose trees are single leaves', () => {
  it('writes and reads a root-only tree', async () => {
    const matrix = featureMatrixFromRows([[1], [2], [3], [4]], ['x']);
    const { model } = await trainGbdt(
      { matrix, labels: Float32Array.of(0, 1, 0, 1) },
      { parameters: { rounds: 2, minChildWeight: 10, threads: 1 } },
    );
    const tree = model.toXGBoostJson().learner.gradient_booster.model.trees[0];
    expect(tree.left_children).toEqual([-1]);
    expect(tree.parents).toEqual([2147483647]);
    const reloaded = TreeEnsemble.fromXGBoostJson(model.toXGBoostJsonText());
    expect(reloaded.predictProbability([2])).toBe(model.predictProbability([2]));
    expect(reloaded.predictProbability([2])).toBeCloseTo(0.5, 6);
  });
});
