import { SeededRandom } from '../random';
import { JoinedExperiment, UserActivity, activityFieldCount } from './attribution';
import { PrePeriodRecord } from './pre-period';

/** The true behaviour of one arm of a synthetic experiment. */
export interface SyntheticArm {
  name: string;
  /** Share of users sent to this arm (the shares are normalised). */
  share: number;
  /** Expected clicks per impression. */
  ctr: number;
  /** Expected purchases per click. */
  cvr: number;
}

/** Settings of {@link syntheticExperiment}. */
export interface SyntheticExperimentSettings {
  seed: number;
  users: number;
  days: number;
  arms: SyntheticArm[];
  /** Mean impressions per active user and day. Default 12. */
  impressionsPerDay?: number;
  /** Mean revenue of a purchase (log-normal, σ = 0.8). Default 40. */
  meanRevenue?: number;
  /**
   * Shape of the per-user Gamma multiplier of CTR (mean 1): lower is more heterogeneous users,
   * which is what makes per-user (delta-method) variances matter. Default 2.
   */
  userHeterogeneity?: number;
}

/** A synthetic experiment and the pre-period activity of its users. */
export interface SyntheticExperiment {
  joined: JoinedExperiment;
  prePeriod: Map<string, PrePeriodRecord>;
}

/**
 * A fast generator of experiments with known effects, for checking the statistics: users
 * arrive uniformly over the days, are split by the arms' shares, and each active day see
 * Poisson impressions, click with their arm's CTR × a per-user Gamma(k, 1/k) multiplier
 * (the same multiplier drives a pre-period of equal length, so CUPED has signal), and buy
 * with the arm's CVR. The true values are then exactly: CTR = `ctr`, CVR = `cvr`, and the
 * relative lift of conversions per user = (ctr·cvr)ₜ ÷ (ctr·cvr)꜀ − 1.
 */
export function syntheticExperiment(settings: SyntheticExperimentSettings): SyntheticExperiment {
  const random = new SeededRandom(settings.seed);
  const impressionsPerDay = settings.impressionsPerDay ?? 12;
  const meanRevenue = settings.meanRevenue ?? 40;
  const heterogeneity = settings.userHeterogeneity ?? 2;
  const shares = settings.arms.map((arm) => arm.share);
  const users: UserActivity[] = [];
  const prePeriod = new Map<string, PrePeriodRecord>();
  const logMean = Math.log(meanRevenue) - 0.32;

  for (let index = 0; index < settings.users; index++) {
    const arm = settings.arms[random.weightedIndex(shares)];
    const userId = `s${index}`;
    const propensity = random.gamma(heterogeneity) / heterogeneity;
    const clickProbability = Math.min(1, arm.ctr * propensity);
    const firstDay = random.int(settings.days);
    const daily = new Float64Array(settings.days * activityFieldCount);
    let exposures = 0;
    for (let day = firstDay; day < settings.days; day++) {
      const impressions = random.poisson(impressionsPerDay);
      const clicks = binomial(random, impressions, clickProbability);
      const purchases = binomial(random, clicks, arm.cvr);
      let revenue = 0;
      for (let purchase = 0; purchase < purchases; purchase++) {
        revenue += random.logNormal(logMean, 0.8);
      }
      const offset = day * activityFieldCount;
      daily.set([impressions, clicks, purchases, revenue], offset);
      exposures += impressions > 0 ? 1 : 0;
    }
    users.push({ userId, variant: arm.name, firstDay, exposures: Math.max(1, exposures), daily });

    // The pre-period: the same user, before treatment, with the control's rates.
    const preImpressions = random.poisson(impressionsPerDay * settings.days);
    const preClicks = binomial(
      random,
      preImpressions,
      Math.min(1, settings.arms[0].ctr * propensity),
    );
    const prePurchases = binomial(random, preClicks, settings.arms[0].cvr);
    prePeriod.set(userId, {
      user_id: userId,
      impressions: preImpressions,
      clicks: preClicks,
      purchases: prePurchases,
      revenue: prePurchases * meanRevenue,
    });
  }

  return {
    joined: {
      users,
      days: settings.days,
      startDayMs: Date.UTC(2024, 0, 1),
      firstExposureMs: Date.UTC(2024, 0, 1),
      lastExposureMs: Date.UTC(2024, 0, 1) + settings.days * 86_400_000 - 1,
      exposureRecords: users.reduce((sum, user) => sum + user.exposures, 0),
      outcomeRecords: 0,
      attributedOutcomes: 0,
      unattributedOutcomes: 0,
      outsideWindowOutcomes: 0,
      usersInSeveralVariants: 0,
      malformed: [],
    },
    prePeriod,
  };
}

function binomial(random: SeededRandom, trials: number, probability: number): number {
  let successes = 0;
  for (let trial = 0; trial < trials; trial++) if (random.next() < probability) successes++;
  return successes;
}
