import { FeatureBinning } from './binning';

/** The best split of a node: where, which way missing values go, and the children's sums. */
export interface SplitCandidate {
  /** Loss reduction `GL²/(HL+λ) + GR²/(HR+λ) - G²/(H+λ)` (XGBoost's `loss_chg`). */
  gain: number;
  feature: number;
  /** Value bins `<= splitBin` go left. */
  splitBin: number;
  defaultLeft: boolean;
  leftGradient: number;
  leftHessian: number;
  rightGradient: number;
  rightHessian: number;
}

/** Node-level inputs of the split search. */
export interface SplitSearch {
  histogram: Float64Array;
  /** Index of the node's first double in `histogram`. */
  offset: number;
  features: Int32Array;
  gradientSum: number;
  hessianSum: number;
  l2Regularization: number;
  minChildWeight: number;
}

/** XGBoost's rounding guard: gains at or below this are no improvement. */
const MIN_GAIN = 1e-6;

/**
 * Scans every bin boundary of every allowed feature, trying missing values on both sides, and
 * returns the split with the largest gain (the first one found on ties, features and bins in
 * ascending order, missing-right before missing-left), or null when no split has both
 * children at `minChildWeight` and a gain above XGBoost's 1e-6 guard.
 */
export function findBestSplit(search: SplitSearch, binning: FeatureBinning): SplitCandidate | null {
  const { histogram, offset, features, gradientSum: G, hessianSum: H } = search;
  const lambda = search.l2Regularization;
  const minChild = search.minChildWeight;
  const parentScore = (G * G) / (H + lambda);
  let best: SplitCandidate | null = null;
  let bestGain = MIN_GAIN;

  for (let i = 0; i < features.length; i++) {
    const feature = features[i];
    const start = offset + 2 * feature * binning.binStride;
    const valueBins = binning.valueBinCounts[feature];
    const missingGradient = histogram[start + 2 * valueBins];
    const missingHessian = histogram[start + 2 * valueBins + 1];
    const hasMissing = missingHessian > 0;
    const lastBin =
      hasMissing && binning.missingSplitAllowed[feature] ? valueBins - 1 : valueBins - 2;
    let gl = 0;
    let hl = 0;
    for (let bin = 0; bin <= lastBin; bin++) {
      gl += histogram[start + 2 * bin];
      hl += histogram[start + 2 * bin + 1];

      // Missing values right (the only option when the node has none). A node without missing
      // values learns nothing about them; its default then follows the heavier child, the
      // likelier guess for a value never seen missing in training.
      const gr = G - gl;
      const hr = H - hl;
      if (hl >= minChild && hr >= minChild) {
        const gain = (gl * gl) / (hl + lambda) + (gr * gr) / (hr + lambda) - parentScore;
        if (gain > bestGain) {
          bestGain = gain;
          best = candidate(gain, feature, bin, !hasMissing && hl >= hr, gl, hl, gr, hr);
        }
      }
      if (!hasMissing || bin === valueBins - 1) continue;

      // Missing values left.
      const glm = gl + missingGradient;
      const hlm = hl + missingHessian;
      const grm = G - glm;
      const hrm = H - hlm;
      if (hlm >= minChild && hrm >= minChild) {
        const gain = (glm * glm) / (hlm + lambda) + (grm * grm) / (hrm + lambda) - parentScore;
        if (gain > bestGain) {
          bestGain = gain;
          best = candidate(gain, feature, bin, true, glm, hlm, grm, hrm);
        }
      }
    }
  }
  return best;
}

function candidate(
  gain: number,
  feature: number,
  splitBin: number,
  defaultLeft: boolean,
  leftGradient: number,
  leftHessian: number,
  rightGradient: number,
  rightHessian: number,
): SplitCandidate {
  return {
    gain,
    feature,
    splitBin,
    defaultLeft,
    leftGradient,
    leftHessian,
    rightGradient,
    rightHessian,
  };
}
