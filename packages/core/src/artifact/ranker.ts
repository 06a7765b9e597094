import { applyCalibration, correctNegativeDownsampling } from '../calibration';
import { createVectorizer, FeatureInput, Vectorizer } from '../features/vectorize';
import { featureNames } from '../features/feature-spec';
import { LoadedArtifact } from './load-artifact';

/** The scores of one candidate. Probabilities are calibrated and corrected for sampling. */
export interface CandidateScore {
  pCtr: number;
  /** 1 when the artifact has no purchase head (then the score is pCTR alone). */
  pCvr: number;
  /** The ranking score: expected conversion pCTR × pCVR. */
  score: number;
}

/**
 * Scores candidates with a loaded artifact: features through the shared vectorizer, both
 * heads, their calibrations, and the correction for sampled impressions.
 */
export class Ranker {
  private readonly vectorize: Vectorizer;
  private readonly row = new Float32Array(featureNames.length);

  constructor(readonly artifact: LoadedArtifact) {
    this.vectorize = createVectorizer(artifact.manifest.feature_settings);
  }

  /** The model version in the artifact's manifest. */
  get modelVersion(): string {
    return this.artifact.manifest.model_version;
  }

  /** Scores one candidate from its feature input. */
  scoreInput(input: FeatureInput): CandidateScore {
    this.vectorize(input, this.row);
    return this.scoreRow(this.row);
  }

  /** Scores one already vectorized row (feature order of the artifact). */
  scoreRow(row: ArrayLike<number>): CandidateScore {
    const { ctr, cvr, manifest } = this.artifact;
    const calibrated = applyCalibration(ctr.calibration, ctr.model.predictProbability(row));
    const pCtr = correctNegativeDownsampling(calibrated, manifest.sampling.negative_keep_rate);
    const pCvr = cvr ? applyCalibration(cvr.calibration, cvr.model.predictProbability(row)) : 1;
    return { pCtr, pCvr, score: pCtr * pCvr };
  }
}
