import { validateBinaryInputs } from '../metrics/validation';
import { clippedLogit, sigmoid, type PlattCalibration } from './calibration-map';
import { CalibrationFitError } from './errors';

/** Newton iterations before giving up; it converges in well under 20 on real data. */
const maximumIterations = 100;

/** Convergence: the gradient per unit of row weight is below this in both coordinates. */
const gradientTolerance = 1e-10;

/** Backtracking stops when the step shrinks below this; the optimum is then numerically reached. */
const minimumStep = 1e-10;

/** Ridge added to the Hessian's diagonal, as in Lin, Lin and Weng, to keep it invertible. */
const hessianRidge = 1e-12;

/** log(1 + e^z) without overflow. */
function softplus(z: number): number {
  return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
}

/**
 * Platt scaling on the logit of the score: fits p' = σ(slope · logit(s) + intercept) by
 * maximum likelihood with Newton's method and backtracking line search (Lin, Lin and Weng,
 * "A note on Platt's probabilistic outputs for support vector machines", 2007). Labels are
 * replaced by Platt's smoothed targets, (N₊ + 1) / (N₊ + 2) for positives and 1 / (N₋ + 2) for
 * negatives (N counted in rows, as scikit-learn does), which keeps the fit finite when the
 * classes separate and shrinks small samples towards the base rate. Weights, when given,
 * weight each row's loss.
 *
 * Scores must be probabilities in [0, 1]; they are clipped by `logitInputEpsilon` before the
 * logit. The identity map is slope 1, intercept 0. Two parameters make it the safe choice on
 * small validation sets. Throws {@link CalibrationFitError} when no row has positive weight.
 */
export function fitPlattCalibration(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  weights?: ArrayLike<number>,
): PlattCalibration {
  const caller = 'fitPlattCalibration';
  const rows = validateBinaryInputs(caller, labels, scores, 'probabilities', weights);
  let positives = 0;
  for (let row = 0; row < rows; row++) positives += labels[row];
  const negatives = rows - positives;
  const positiveTarget = (positives + 1) / (positives + 2);
  const negativeTarget = 1 / (negatives + 2);

  const logits = new Float64Array(rows);
  const targets = new Float64Array(rows);
  const rowWeights = new Float64Array(rows);
  let totalWeight = 0;
  for (let row = 0; row < rows; row++) {
    logits[row] = clippedLogit(scores[row]);
    targets[row] = labels[row] === 1 ? positiveTarget : negativeTarget;
    rowWeights[row] = weights === undefined ? 1 : weights[row];
    totalWeight += rowWeights[row];
  }
  if (!(totalWeight > 0)) {
    throw new CalibrationFitError(`${caller}: no row with positive weight to fit on`);
  }

  return newtonFit(
    logits,
    targets,
    rowWeights,
    totalWeight,
    Math.log((positives + 1) / (negatives + 1)),
  );
}

function smoothedLoss(
  logits: Float64Array,
  targets: Float64Array,
  weights: Float64Array,
  slope: number,
  intercept: number,
): number {
  let loss = 0;
  for (let row = 0; row < logits.length; row++) {
    const z = slope * logits[row] + intercept;
    loss += weights[row] * (softplus(z) - targets[row] * z);
  }
  return loss;
}

function newtonFit(
  logits: Float64Array,
  targets: Float64Array,
  weights: Float64Array,
  totalWeight: number,
  initialIntercept: number,
): PlattCalibration {
  // Start from the constant predictor at the smoothed base rate, as Platt and Lin et al. do.
  let slope = 0;
  let intercept = initialIntercept;
  let loss = smoothedLoss(logits, targets, weights, slope, intercept);
  for (let iteration = 0; iteration < maximumIterations; iteration++) {
    let gradientSlope = 0;
    let gradientIntercept = 0;
    let hessianSlope = hessianRidge;
    let hessianCross = 0;
    let hessianIntercept = hessianRidge;
    for (let row = 0; row < logits.length; row++) {
      const x = logits[row];
      const p = sigmoid(slope * x + intercept);
      const residual = weights[row] * (p - targets[row]);
      const curvature = weights[row] * p * (1 - p);
      gradientSlope += residual * x;
      gradientIntercept += residual;
      hessianSlope += curvature * x * x;
      hessianCross += curvature * x;
      hessianIntercept += curvature;
    }
    const gradientScale = Math.max(Math.abs(gradientSlope), Math.abs(gradientIntercept));
    if (gradientScale / totalWeight < gradientTolerance) break;

    const determinant = hessianSlope * hessianIntercept - hessianCross * hessianCross;
    const stepSlope =
      -(hessianIntercept * gradientSlope - hessianCross * gradientIntercept) / determinant;
    const stepIntercept =
      -(hessianSlope * gradientIntercept - hessianCross * gradientSlope) / determinant;
    const descent = gradientSlope * stepSlope + gradientIntercept * stepIntercept;

    let step = 1;
    let accepted = false;
    while (step >= minimumStep) {
      const candidateSlope = slope + step * stepSlope;
      const candidateIntercept = intercept + step * stepIntercept;
      const candidateLoss = smoothedLoss(
        logits,
        targets,
        weights,
        candidateSlope,
        candidateIntercept,
      );
      // Armijo condition: demand a decrease proportional to the step.
      if (candidateLoss < loss + 1e-4 * step * descent) {
        slope = candidateSlope;
        intercept = candidateIntercept;
        loss = candidateLoss;
        accepted = true;
        break;
      }
      step /= 2;
    }
    if (!accepted) break;
  }
  return { kind: 'platt', slope, intercept };
}
