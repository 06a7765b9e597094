import { applyCalibration, CalibrationMap, correctNegativeDownsampling } from '../calibration';
import { createVectorizer, FeatureInput, Vectorizer } from '../features/vectorize';
import { featureNames } from '../features/feature-spec';
import { CompileOptions, CompiledEnsemble, PredictionInputError } from '../gbdt';
import { ArtifactInvalidError, LoadedArtifact } from './load-artifact';

/** The scores of one candidate. Probabilities are calibrated and corrected for sampling. */
export interface CandidateScore {
  pCtr: number;
  /** 1 when the artifact has no purchase head (then the score is pCTR alone). */
  pCvr: number;
  /** The ranking score: expected conversion pCTR × pCVR. */
  score: number;
}

/** The scores of a batch of candidates, one entry per row (see {@link CandidateScore}). */
export interface CandidateScores {
  pCtr: Float64Array;
  pCvr: Float64Array;
  score: Float64Array;
}

/**
 * Scores candidates with a loaded artifact: features through the shared vectorizer, both
 * heads, their calibrations, and the correction for sampled impressions. The heads run on
 * {@link CompiledEnsemble}, bit-identical to the artifact's `TreeEnsemble`s and several times
 * faster; score whole requests with {@link scoreRows}.
 */
export class Ranker {
  private readonly vectorize: Vectorizer;
  private readonly row = new Float32Array(featureNames.length);
  private readonly ctr: CompiledEnsemble;
  private readonly cvr: CompiledEnsemble | null;
  private readonly single: CandidateScores = {
    pCtr: new Float64Array(1),
    pCvr: new Float64Array(1),
    score: new Float64Array(1),
  };

  /**
   * Compiles both heads (about a tenth of a second per hundred trees; see
   * {@link CompiledEnsemble} for `options`). Refuses heads that read more features than the
   * vectorizer writes.
   */
  constructor(
    readonly artifact: LoadedArtifact,
    options: CompileOptions = {},
  ) {
    this.vectorize = createVectorizer(artifact.manifest.feature_settings);
    for (const [name, head] of [
      ['ctr', artifact.ctr],
      ['cvr', artifact.cvr],
    ] as const) {
      if (head && head.model.numFeature > featureNames.length) {
        throw new ArtifactInvalidError(
          artifact.directory,
          `the ${name} head reads ${head.model.numFeature} features, ` +
            `the vectorizer writes ${featureNames.length}`,
        );
      }
    }
    this.ctr = CompiledEnsemble.from(artifact.ctr.model, options);
    this.cvr = artifact.cvr ? CompiledEnsemble.from(artifact.cvr.model, options) : null;
  }

  /** The model version in the artifact's manifest. */
  get modelVersion(): string {
    return this.artifact.manifest.model_version;
  }

  /** Values per vectorized row: the feature count of the artifact's feature set. */
  get featureCount(): number {
    return featureNames.length;
  }

  /** Writes one candidate's model input into row `row` of a batch for {@link scoreRows}. */
  vectorizeInto(input: FeatureInput, values: Float32Array, row: number): void {
    this.vectorize(input, values, row * featureNames.length);
  }

  /** Scores one candidate from its feature input. */
  scoreInput(input: FeatureInput): CandidateScore {
    this.vectorize(input, this.row);
    return this.scoreOne(this.row);
  }

  /**
   * Scores one already vectorized row (feature order of the artifact); values are read as
   * float32, null or NaN as missing.
   */
  scoreRow(row: ArrayLike<number>): CandidateScore {
    if (row.length < featureNames.length) {
      throw new PredictionInputError(
        `row has ${row.length} values, the ranker needs ${featureNames.length}`,
      );
    }
    for (let column = 0; column < featureNames.length; column++) {
      const value = row[column] as number | null;
      // A Float32Array would store null as 0; missing must stay NaN.
      this.row[column] = value === null ? NaN : value;
    }
    return this.scoreOne(this.row);
  }

  /**
   * Scores `rows` vectorized rows of `values` (row-major, {@link featureCount} values per row,
   * e.g. filled with {@link vectorizeInto}) in one pass of each head: exactly what
   * {@link scoreRow} gives each row.
   */
  scoreRows(values: Float32Array, rows: number): CandidateScores {
    const scores: CandidateScores = {
      pCtr: new Float64Array(rows),
      pCvr: new Float64Array(rows),
      score: new Float64Array(rows),
    };
    this.scoreInto(values, rows, scores);
    return scores;
  }

  /**
   * Warms up each head (see {@link CompiledEnsemble.warmUp}), giving each up to
   * `maxMilliseconds`; call before taking traffic. Says whether both levelled off and what a
   * 500-row batch of each head took last.
   */
  warmUp(maxMilliseconds = 5_000): { settled: boolean; lastBatchMilliseconds: number[] } {
    const reports = [this.ctr, ...(this.cvr ? [this.cvr] : [])].map((head) =>
      head.warmUp(maxMilliseconds),
    );
    return {
      settled: reports.every((report) => report.settled),
      lastBatchMilliseconds: reports.map((report) => report.batchMilliseconds.at(-1) ?? 0),
    };
  }

  private scoreOne(values: Float32Array): CandidateScore {
    const { pCtr, pCvr, score } = this.scoreInto(values, 1, this.single);
    return { pCtr: pCtr[0], pCvr: pCvr[0], score: score[0] };
  }

  private scoreInto(values: Float32Array, rows: number, scores: CandidateScores): CandidateScores {
    const { ctr, cvr, manifest } = this.artifact;
    const keepRate = manifest.sampling.negative_keep_rate;
    const columns = featureNames.length;

    this.ctr.predictProbabilities(values, rows, scores.pCtr, columns);
    calibrate(ctr.calibration, scores.pCtr, rows);
    for (let row = 0; row < rows; row++) {
      scores.pCtr[row] = correctNegativeDownsampling(scores.pCtr[row], keepRate);
    }

    if (this.cvr && cvr) {
      this.cvr.predictProbabilities(values, rows, scores.pCvr, columns);
      calibrate(cvr.calibration, scores.pCvr, rows);
    } else {
      scores.pCvr.fill(1, 0, rows);
    }

    for (let row = 0; row < rows; row++) scores.score[row] = scores.pCtr[row] * scores.pCvr[row];
    return scores;
  }
}

function calibrate(map: CalibrationMap, probabilities: Float64Array, rows: number): void {
  for (let row = 0; row < rows; row++) {
    probabilities[row] = applyCalibration(map, probabilities[row]);
  }
}
