import { CandidateChannel, candidateChannels } from './config';
import { LoggedRequest } from './marketplace';

/** Impressions, clicks and their ratio for one slice of the log. */
export interface ClickRate {
  impressions: number;
  clicks: number;
  /** clicks / impressions, 0 without impressions. */
  ctr: number;
}

/** Clicks, purchases and their ratio for one slice of the log. */
export interface ConversionRate {
  clicks: number;
  purchases: number;
  /** purchases / clicks, 0 without clicks. */
  cvr: number;
}

/** What a simulated log contains, measured on the log itself. */
export interface SimulationSummary {
  requests: number;
  impressions: number;
  clicks: number;
  carts: number;
  purchases: number;
  /** clicks / impressions. */
  ctr: number;
  /** purchases / clicks (conversion after a click). */
  cvr: number;
  /** Mean true click probability over impressions: the CTR a perfect model would predict. */
  meanClickProbability: number;
  /** Users with at least one request. */
  activeUsers: number;
  /** Distinct items shown at least once. */
  itemsShown: number;
  ctrByChannel: Record<CandidateChannel, ClickRate>;
  /** Index 0 is position 1. */
  ctrByPosition: ClickRate[];
  /** Conversion by the users' acquisition channel. */
  cvrByAcquisitionChannel: Record<string, ConversionRate>;
}

/** Accumulates a {@link SimulationSummary} request by request with fixed-size counters. */
export class SummaryAccumulator {
  private requests = 0;
  private carts = 0;
  private purchases = 0;
  private probabilitySum = 0;
  private readonly channelImpressions = new Float64Array(candidateChannels.length);
  private readonly channelClicks = new Float64Array(candidateChannels.length);
  private readonly positionImpressions: Float64Array;
  private readonly positionClicks: Float64Array;
  private readonly activeUsers: Uint8Array;
  private readonly shownItems: Uint8Array;
  private readonly acquisition = new Map<string, ConversionRate>();

  constructor(feedSize: number, userCount: number, itemCount: number) {
    this.positionImpressions = new Float64Array(feedSize);
    this.positionClicks = new Float64Array(feedSize);
    this.activeUsers = new Uint8Array(userCount);
    this.shownItems = new Uint8Array(itemCount);
  }

  /** Counts one logged request. */
  add(logged: LoggedRequest): void {
    this.requests++;
    this.activeUsers[logged.request.user.index] = 1;
    let conversion = this.acquisition.get(logged.request.user.acquisitionChannel);
    if (!conversion) {
      conversion = { clicks: 0, purchases: 0, cvr: 0 };
      this.acquisition.set(logged.request.user.acquisitionChannel, conversion);
    }
    logged.feed.forEach((shown, index) => {
      const channel = candidateChannels.indexOf(shown.channel);
      const outcome = logged.outcomes[index];
      this.shownItems[shown.item.index] = 1;
      this.probabilitySum += logged.clickProbabilities[index];
      this.channelImpressions[channel]++;
      this.positionImpressions[shown.position - 1]++;
      if (!outcome) return;
      this.channelClicks[channel]++;
      this.positionClicks[shown.position - 1]++;
      conversion.clicks++;
      if (outcome.cartMs !== null) this.carts++;
      if (outcome.purchaseMs !== null) {
        this.purchases++;
        conversion.purchases++;
      }
    });
  }

  /** The summary so far. */
  summary(): SimulationSummary {
    const impressions = sum(this.positionImpressions);
    const clicks = sum(this.positionClicks);
    const ctrByChannel = Object.fromEntries(
      candidateChannels.map((channel, index) => [
        channel,
        clickRate(this.channelImpressions[index], this.channelClicks[index]),
      ]),
    ) as Record<CandidateChannel, ClickRate>;
    const cvrByAcquisitionChannel = Object.fromEntries(
      [...this.acquisition.entries()]
        .sort(([left], [right]) => left.localeCompare(right))
        .map(([channel, rate]) => [channel, conversionRate(rate.clicks, rate.purchases)]),
    );
    return {
      requests: this.requests,
      impressions,
      clicks,
      carts: this.carts,
      purchases: this.purchases,
      ctr: ratio(clicks, impressions),
      cvr: ratio(this.purchases, clicks),
      meanClickProbability: ratio(this.probabilitySum, impressions),
      activeUsers: sum(this.activeUsers),
      itemsShown: sum(this.shownItems),
      ctrByChannel,
      ctrByPosition: Array.from(this.positionImpressions, (count, index) =>
        clickRate(count, this.positionClicks[index]),
      ),
      cvrByAcquisitionChannel,
    };
  }
}

function clickRate(impressions: number, clicks: number): ClickRate {
  return { impressions, clicks, ctr: ratio(clicks, impressions) };
}

function conversionRate(clicks: number, purchases: number): ConversionRate {
  return { clicks, purchases, cvr: ratio(purchases, clicks) };
}

function ratio(numerator: number, denominator: number): number {
  return denominator === 0 ? 0 : numerator / denominator;
}

function sum(values: ArrayLike<number>): number {
  let total = 0;
  for (let index = 0; index < values.length; index++) total += values[index];
  return total;
}
