import { normalQuantile, twoSidedPValue } from './distributions';
import { confidenceSequenceHalfWidth } from './sequential';
import { EstimateInterval } from './report';

/**
 * One arm's metric as per-user contributions whose mean is the estimate. A mean metric
 * (purchases per user) contributes each user's value; a ratio metric Σa ÷ Σb (clicks per
 * impression) contributes the delta method's linearization R + (aᵢ − R·bᵢ) ÷ b̄, whose mean is R
 * and whose sample variance ÷ n is the delta-method variance of R (Deng, Knoblich and Lu, 2018).
 */
export interface ArmContributions {
  /** The metric estimate; NaN when a ratio's denominator sums to 0. */
  estimate: number;
  /** Per-user contributions (mean = estimate). */
  values: Float64Array;
  /** The matching pre-period covariate per user for CUPED, when given. */
  covariate?: Float64Array;
}

/** Per-user contributions of Σ numerator ÷ Σ denominator (or a mean when `denominator` is null). */
export function contributions(
  numerator: ArrayLike<number>,
  denominator: ArrayLike<number> | null,
): ArmContributions {
  const users = numerator.length;
  const values = new Float64Array(users);
  if (denominator === null) {
    let sum = 0;
    for (let user = 0; user < users; user++) sum += values[user] = numerator[user];
    return { estimate: users > 0 ? sum / users : NaN, values };
  }
  let numeratorSum = 0;
  let denominatorSum = 0;
  for (let user = 0; user < users; user++) {
    numeratorSum += numerator[user];
    denominatorSum += denominator[user];
  }
  if (users === 0 || denominatorSum === 0) return { estimate: NaN, values };
  const ratio = numeratorSum / denominatorSum;
  const meanDenominator = denominatorSum / users;
  for (let user = 0; user < users; user++) {
    values[user] = ratio + (numerator[user] - ratio * denominator[user]) / meanDenominator;
  }
  return { estimate: ratio, values };
}

/** An arm's estimate with the variance of that estimate. */
export interface ArmEstimate {
  estimate: number;
  /** Variance of the estimate (not of a user's value). */
  variance: number;
  users: number;
}

/** Treatment against control for one metric. */
export interface ArmComparison {
  control: ArmEstimate;
  treatment: ArmEstimate;
  absolute: EstimateInterval;
  /** Null when the control's mean is 0: no lift relative to nothing. */
  relative: EstimateInterval | null;
  sequentialAbsolute: EstimateInterval;
  sequentialRelative: EstimateInterval | null;
  /** Two-sided p-value of the z-test of no difference in means. */
  pValue: number;
  /**
   * Two-sided p-value of the relative lift's delta-method z-test: the test the relative
   * intervals invert, so it is below alpha exactly when the relative interval excludes 0. It is
   * larger than `pValue` when the lift is large (the control's variance weighs more), null
   * without a relative lift.
   */
  relativePValue: number | null;
  /** CUPED's θ, or 0 without covariates. */
  theta: number;
  /** 1 − adjusted ÷ unadjusted variance of the difference (0 without CUPED). */
  varianceReduction: number;
}

/** Settings of {@link compareArms}. */
export interface ComparisonSettings {
  /** Two-sided significance level (0.05 → 95 % intervals). */
  alpha: number;
  /** Tuning sample size of the confidence sequence, users. */
  tuningUsers: number;
}

/**
 * Compares two arms: the difference and the relative lift (treatment ÷ control − 1) with
 * fixed-horizon z-intervals and always-valid intervals, and the z-test's p-value. The relative
 * lift's variance is the delta method's v_t ÷ m_c² + m_t² · v_c ÷ m_c⁴ (independent arms).
 *
 * With covariates on both arms, CUPED (Deng, Xu, Kohavi and Walker, 2013) replaces each
 * user's value y by y − θ (x − x̄), θ = cov(y, x) ÷ var(x) pooled within arms and x̄ the mean
 * over both arms; estimates stay unbiased (randomization makes x̄ equal in expectation across
 * arms) and the variance shrinks by the squared correlation.
 */
export function compareArms(
  control: ArmContributions,
  treatment: ArmContributions,
  settings: ComparisonSettings,
): ArmComparison | null {
  if (!Number.isFinite(control.estimate) || !Number.isFinite(treatment.estimate)) return null;
  if (control.values.length < 2 || treatment.values.length < 2) return null;
  const useCuped = control.covariate !== undefined && treatment.covariate !== undefined;
  const theta = useCuped ? pooledTheta(control, treatment) : 0;
  const covariateMean = useCuped ? pooledMean(control.covariate!, treatment.covariate!) : 0;
  const controlEstimate = adjusted(control, theta, covariateMean);
  const treatmentEstimate = adjusted(treatment, theta, covariateMean);

  const difference = treatmentEstimate.estimate - controlEstimate.estimate;
  const differenceVariance = treatmentEstimate.variance + controlEstimate.variance;
  const { estimate: mt, variance: vt } = treatmentEstimate;
  const { estimate: mc, variance: vc } = controlEstimate;
  // A control mean of 0 (no purchases yet, say) leaves the relative lift undefined, not infinite.
  const hasLift = mc !== 0;
  const lift = mt / mc - 1;
  const liftVariance = vt / (mc * mc) + (mt * mt * vc) / (mc * mc * mc * mc);

  const z = normalQuantile(1 - settings.alpha / 2);
  const users = controlEstimate.users + treatmentEstimate.users;
  const sequential = (variance: number) =>
    confidenceSequenceHalfWidth(variance, users, settings.alpha, settings.tuningUsers);
  const unadjustedVariance = useCuped
    ? adjusted(control, 0, 0).variance + adjusted(treatment, 0, 0).variance
    : differenceVariance;
  return {
    control: controlEstimate,
    treatment: treatmentEstimate,
    absolute: interval(difference, z * Math.sqrt(differenceVariance)),
    relative: hasLift ? relativeInterval(lift, z * Math.sqrt(liftVariance)) : null,
    sequentialAbsolute: interval(difference, sequential(differenceVariance)),
    sequentialRelative: hasLift ? relativeInterval(lift, sequential(liftVariance)) : null,
    relativePValue: !hasLift
      ? null
      : liftVariance > 0
        ? twoSidedPValue(lift / Math.sqrt(liftVariance))
        : lift === 0
          ? 1
          : 0,
    pValue:
      differenceVariance > 0
        ? twoSidedPValue(difference / Math.sqrt(differenceVariance))
        : difference === 0
          ? 1
          : 0,
    theta,
    varianceReduction: useCuped ? 1 - differenceVariance / unadjustedVariance : 0,
  };
}

function interval(estimate: number, halfWidth: number): EstimateInterval {
  return { estimate, lower: estimate - halfWidth, upper: estimate + halfWidth };
}

/**
 * A lift's interval, its lower bound clipped at −100 %: metrics are never negative, so a lift
 * below −100 % is impossible and clipping only removes values the truth cannot take.
 */
function relativeInterval(estimate: number, halfWidth: number): EstimateInterval {
  return { estimate, lower: Math.max(-1, estimate - halfWidth), upper: estimate + halfWidth };
}

/** The arm's estimate and its variance after the CUPED adjustment with θ (θ = 0: none). */
function adjusted(arm: ArmContributions, theta: number, covariateMean: number): ArmEstimate {
  const { values, covariate } = arm;
  const users = values.length;
  let sum = 0;
  for (let user = 0; user < users; user++) {
    sum += values[user] - (theta === 0 ? 0 : theta * (covariate![user] - covariateMean));
  }
  const mean = sum / users;
  let squares = 0;
  for (let user = 0; user < users; user++) {
    const value = values[user] - (theta === 0 ? 0 : theta * (covariate![user] - covariateMean));
    squares += (value - mean) * (value - mean);
  }
  return { estimate: mean, variance: squares / (users - 1) / users, users };
}

function pooledMean(left: Float64Array, right: Float64Array): number {
  let sum = 0;
  for (const value of left) sum += value;
  for (const value of right) sum += value;
  return sum / (left.length + right.length);
}

/** θ = Σ within-arm cov(y, x) ÷ Σ within-arm var(x); 0 when x does not vary. */
function pooledTheta(control: ArmContributions, treatment: ArmContributions): number {
  let covariance = 0;
  let variance = 0;
  for (const arm of [control, treatment]) {
    const { values, covariate } = arm;
    const users = values.length;
    let meanY = 0;
    let meanX = 0;
    for (let user = 0; user < users; user++) {
      meanY += values[user] / users;
      meanX += covariate![user] / users;
    }
    for (let user = 0; user < users; user++) {
      const dx = covariate![user] - meanX;
      covariance += dx * (values[user] - meanY);
      variance += dx * dx;
    }
  }
  return variance > 0 ? covariance / variance : 0;
}
