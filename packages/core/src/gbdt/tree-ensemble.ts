import { EnsembleDescription, SupportedObjective } from './ensemble-description';
import { ModelFormatError, PredictionInputError } from './errors';
import { FeatureMatrix } from './feature-matrix';
import { logitFloat32, sigmoidFloat32 } from './float32';
import { XGBoostReadOptions, readXGBoostDocument } from './xgboost-document-reader';
import { XGBoostModelDocument, writeXGBoostDocument } from './xgboost-document-writer';
import { parseXGBoostJsonText, stringifyXGBoostJson } from './xgboost-json-text';

// A module-level alias: global \`Math\` lookups are slow inside jest's VM sandbox.
const fround = Math.fround;

/**
 * Which split statistic {@link TreeEnsemble.featureImportance} reports, with XGBoost's
 * `get_score` meanings: `weight` counts a feature's splits, `gain` and `cover` average the
 * split gain and hessian sum over them, `total_gain` and `total_cover` sum them.
 */
export type ImportanceKind = 'gain' | 'weight' | 'cover' | 'total_gain' | 'total_cover';

/**
 * A binary gradient-boosted tree ensemble in XGBoost's model format, scored exactly as XGBoost
 * scores it: float32 comparisons (`Math.fround(x) < threshold` goes left, equality right),
 * missing values (NaN, null) following each node's default direction, and a float32 sum of
 * leaves starting from the float32 margin of `base_score`.
 */
export class TreeEnsemble {
  private readonly baseMargin: number;
  /** All trees' nodes, concatenated; child ids are global indices. */
  private readonly left: Int32Array;
  private readonly right: Int32Array;
  private readonly feature: Int32Array;
  /** Threshold of an internal node, leaf value of a leaf (float32). */
  private readonly value: Float32Array;
  private readonly defaultLeft: Uint8Array;
  private readonly roots: Int32Array;

  private constructor(private readonly description: EnsembleDescription) {
    const { trees } = description;
    this.baseMargin =
      description.objective === 'binary:logitraw'
        ? Math.fround(description.baseScore)
        : logitFloat32(description.baseScore);
    const total = trees.reduce((sum, tree) => sum + tree.leftChildren.length, 0);
    this.left = new Int32Array(total);
    this.right = new Int32Array(total);
    this.feature = new Int32Array(total);
    this.value = new Float32Array(total);
    this.defaultLeft = new Uint8Array(total);
    this.roots = new Int32Array(trees.length);
    let base = 0;
    trees.forEach((tree, t) => {
      this.roots[t] = base;
      for (let node = 0; node < tree.leftChildren.length; node++) {
        const leaf = tree.leftChildren[node] === -1;
        this.left[base + node] = leaf ? -1 : base + tree.leftChildren[node];
        this.right[base + node] = leaf ? -1 : base + tree.rightChildren[node];
        this.feature[base + node] = tree.splitIndices[node];
        this.value[base + node] = tree.splitConditions[node];
        this.defaultLeft[base + node] = tree.defaultLeft[node];
      }
      base += tree.leftChildren.length;
    });
  }

  /**
   * Loads an XGBoost JSON model (text, or the parsed object). Refuses categorical splits,
   * multi-output models, boosters other than `gbtree`, objectives other than the logistic ones,
   * and malformed trees, with an error naming the field. Keeps only the trees up to
   * `best_iteration` when the document records one, unless told otherwise.
   */
  static fromXGBoostJson(input: string | object, options: XGBoostReadOptions = {}): TreeEnsemble {
    const document = typeof input === 'string' ? parseXGBoostJsonText(input) : input;
    return new TreeEnsemble(readXGBoostDocument(document, options));
  }

  /**
   * Wraps an already validated description (from the trainer or another format's reader).
   * The caller guarantees the checks {@link readXGBoostDocument} makes.
   */
  static fromDescription(description: EnsembleDescription): TreeEnsemble {
    return new TreeEnsemble(description);
  }

  /** Column names in model order (empty when the model carries none). */
  get featureNames(): string[] {
    return [...this.description.featureNames];
  }

  /** Row width the model expects. */
  get numFeature(): number {
    return this.description.numFeature;
  }

  /** Number of trees scored. */
  get numTrees(): number {
    return this.description.trees.length;
  }

  /** The objective the model was trained for. */
  get objective(): SupportedObjective {
    return this.description.objective;
  }

  /** Intercept as stored in the model (a probability for logistic objectives). */
  get baseScore(): number {
    return this.description.baseScore;
  }

  /** Learner attributes, e.g. `best_iteration`. */
  get attributes(): Record<string, string> {
    return { ...this.description.attributes };
  }

  /** The raw score (log-odds) of one row; NaN, null or undefined mean missing. */
  predictMargin(row: ArrayLike<number | null | undefined>): number {
    this.checkRow(row);
    return this.marginAt(row as ArrayLike<number>, 0);
  }

  /**
   * The leaf each tree sends a row to, as node ids within the tree (XGBoost's `pred_leaf`).
   */
  predictLeafIndices(row: ArrayLike<number | null | undefined>): Int32Array {
    this.checkRow(row);
    const leaves = new Int32Array(this.roots.length);
    for (let t = 0; t < this.roots.length; t++) {
      leaves[t] = this.leafOf(t, row as ArrayLike<number>, 0) - this.roots[t];
    }
    return leaves;
  }

  /**
   * The probability of one row: XGBoost's float32 sigmoid of the margin. (For `binary:logitraw`
   * models XGBoost itself returns the margin; gfr still maps it through the sigmoid.)
   */
  predictProbability(row: ArrayLike<number | null | undefined>): number {
    return sigmoidFloat32(this.predictMargin(row));
  }

  /** Margins of every row of a matrix whose columns are the model's features. */
  predictMargins(matrix: FeatureMatrix): Float64Array {
    this.checkMatrix(matrix);
    const margins = new Float64Array(matrix.rows);
    for (let row = 0; row < matrix.rows; row++) {
      margins[row] = this.marginAt(matrix.values, row * matrix.columns);
    }
    return margins;
  }

  /** Probabilities of every row of a matrix whose columns are the model's features. */
  predictProbabilities(matrix: FeatureMatrix): Float64Array {
    const margins = this.predictMargins(matrix);
    for (let row = 0; row < margins.length; row++) margins[row] = sigmoidFloat32(margins[row]);
    return margins;
  }

  /**
   * Importance per feature name (see {@link ImportanceKind}). Every model feature is listed,
   * unused ones at 0 (XGBoost leaves them out); features are named `f<index>` when the model
   * carries no names.
   */
  featureImportance(kind: ImportanceKind): Record<string, number> {
    if (kind !== 'weight' && !this.description.hasStatistics) {
      throw new ModelFormatError(
        'learner.gradient_booster.model.trees',
        `the model carries no loss_changes / sum_hessian, so '${kind}' importance is unknown`,
      );
    }
    const { numFeature, featureNames, trees } = this.description;
    const counts = new Float64Array(numFeature);
    const totals = new Float64Array(numFeature);
    const cover = kind === 'cover' || kind === 'total_cover';
    for (const tree of trees) {
      for (const node of reachableNodes(tree.leftChildren, tree.rightChildren)) {
        if (tree.leftChildren[node] === -1) continue;
        const feature = tree.splitIndices[node];
        counts[feature] += 1;
        totals[feature] += cover ? tree.sumHessian[node] : tree.lossChanges[node];
      }
    }
    const importance: Record<string, number> = {};
    for (let index = 0; index < numFeature; index++) {
      const name = featureNames[index] ?? `f${index}`;
      if (kind === 'weight') importance[name] = counts[index];
      else if (kind === 'total_gain' || kind === 'total_cover') importance[name] = totals[index];
      else importance[name] = counts[index] > 0 ? totals[index] / counts[index] : 0;
    }
    return importance;
  }

  /**
   * The full XGBoost learner document. Write it with {@link toXGBoostJsonText}: plain
   * `JSON.stringify` would write whole-number floats such as `0` as integers, which XGBoost's
   * reader refuses in float fields.
   */
  toXGBoostJson(): XGBoostModelDocument {
    return writeXGBoostDocument(this.description);
  }

  /** The model as XGBoost JSON text (what `Booster.load_model("model.json")` reads). */
  toXGBoostJsonText(): string {
    return stringifyXGBoostJson(this.toXGBoostJson());
  }

  private marginAt(values: ArrayLike<number>, offset: number): number {
    let margin = this.baseMargin;
    for (let t = 0; t < this.roots.length; t++) {
      margin = fround(margin + this.value[this.leafOf(t, values, offset)]);
    }
    return margin;
  }

  /** The global id of the leaf tree `t` sends the row at `values[offset..]` to. */
  private leafOf(t: number, values: ArrayLike<number>, offset: number): number {
    const { left, right, feature, value, defaultLeft } = this;
    let node = this.roots[t];
    while (left[node] !== -1) {
      const x = values[offset + feature[node]];
      // `== null` covers undefined without a (slow, under jest) global lookup of `undefined`.
      if (x == null || x !== x) {
        node = defaultLeft[node] === 1 ? left[node] : right[node];
      } else {
        node = fround(x) < value[node] ? left[node] : right[node];
      }
    }
    return node;
  }

  private checkRow(row: ArrayLike<unknown>): void {
    if (row.length < this.description.numFeature) {
      throw new PredictionInputError(
        `row has ${row.length} values, the model needs ${this.description.numFeature}`,
      );
    }
  }

  private checkMatrix(matrix: FeatureMatrix): void {
    if (matrix.columns !== this.description.numFeature) {
      throw new PredictionInputError(
        `matrix has ${matrix.columns} columns, the model needs ${this.description.numFeature}`,
      );
    }
    const expected = this.description.featureNames;
    if (expected.length === 0 || matrix.featureNames.length === 0) return;
    const mismatch = expected.findIndex((name, i) => matrix.featureNames[i] !== name);
    if (mismatch >= 0) {
      throw new PredictionInputError(
        `column ${mismatch} is '${matrix.featureNames[mismatch]}', the model expects '${expected[mismatch]}'`,
      );
    }
  }
}

function reachableNodes(left: Int32Array, right: Int32Array): number[] {
  const nodes: number[] = [];
  const stack = [0];
  while (stack.length > 0) {
    const node = stack.pop() as number;
    nodes.push(node);
    if (left[node] !== -1) stack.push(right[node], left[node]);
  }
  return nodes;
}
