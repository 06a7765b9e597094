/**
 * Always-valid confidence intervals (confidence sequences) for a difference of means, after
 * Howard, Ramdas, McAuliffe and Sekhon (2021) and the asymptotic form of Waudby-Smith et al.
 * (2021, "Time-uniform central limit theory"): Robbins' normal mixture with mixing precision
 * ρ² bounds the whole path of the estimate, so that with probability 1 − α the interval
 * covers the true difference at every look at once. Reading the results daily (or after
 * every user) therefore keeps the false-positive rate at α, unlike fixed-horizon intervals.
 *
 * The half-width after n units, for an estimate whose variance is v (so σ² = v·n per unit):
 *
 *   σ · sqrt( 2 (n ρ² + 1) / (n² ρ²) · ln( sqrt(n ρ² + 1) / α ) )
 *
 * ρ is tuned to make the interval tightest at `tuningUnits` (Waudby-Smith et al., eq. for ρ*):
 * ρ = sqrt( (−2 ln α + ln(−2 ln α + 1)) / tuningUnits ). GrowthBook uses the same boundary
 * with 5,000 as its default tuning size; so does gfr.
 */

/** The default tuning sample size of the confidence sequences, in users. */
export const defaultSequentialTuningUsers = 5_000;

/** The mixture precision ρ that makes the sequence tightest at `tuningUnits` units. */
export function mixtureRho(alpha: number, tuningUnits: number): number {
  const logTerm = -2 * Math.log(alpha);
  return Math.sqrt((logTerm + Math.log(logTerm + 1)) / tuningUnits);
}

/**
 * Half-width of the always-valid (1 − α) interval of an estimate with variance `variance`
 * after `units` units (users over all compared arms). Always wider than the fixed-horizon
 * z-interval; NaN when `units` is not positive.
 */
export function confidenceSequenceHalfWidth(
  variance: number,
  units: number,
  alpha: number,
  tuningUnits: number = defaultSequentialTuningUsers,
): number {
  if (!(units > 0) || !(variance >= 0)) return NaN;
  const rho = mixtureRho(alpha, tuningUnits);
  const rhoSquared = rho * rho;
  const spread = Math.sqrt(variance * units);
  const factor =
    ((2 * (units * rhoSquared + 1)) / (units * units * rhoSquared)) *
    Math.log(Math.sqrt(units * rhoSquared + 1) / alpha);
  return spread * Math.sqrt(factor);
}
