import { Catalogue, SimulatedItem } from './catalogue';
import { CandidateChannels } from './channels';
import {
  MarketplaceConfig,
  MarketplaceConfigInput,
  expectedImpressions,
  resolveMarketplaceConfig,
  startMilliseconds,
} from './config';
import { InvalidFeedError, UnknownSimulatedEntityError } from './errors';
import { FeedbackQueue } from './feedback-queue';
import { GroundTruth } from './ground-truth';
import { ChannelMixPolicy, FeedPolicy, FeedRequest, ShownItem } from './policy';
import { Population, SimulatedUser } from './population';
import { SeededRandom } from '../random';
import { DaySchedule, appendSchedule, scheduleDay } from './traffic';

const dayMilliseconds = 86_400_000;

/** CTR assumed when sizing the trending board's prior clicks (the board only needs a scale). */
const nominalClickThroughRate = 0.05;

/**
 * Delays after an impression, in milliseconds: a click comes 2 s + 1 s per position + an
 * exponential wait (mean 8 s) after it; a cart 15 s + exp(mean 60 s) after the click; a
 * purchase 30 s + exp(mean 3 min) after the click or the cart.
 */
const delays = {
  clickMinimum: 2_000,
  clickPerPosition: 1_000,
  clickMean: 8_000,
  cartMinimum: 15_000,
  cartMean: 60_000,
  purchaseMinimum: 30_000,
  purchaseMean: 180_000,
};

/**
 * Cart users also abandon carts: after a click without purchase they add the item to the
 * cart with this probability (so carts are a noisy, earlier signal of purchase intent).
 */
const cartAbandonmentProbability = 0.08;

/** What followed a click on a shown item; absent when the item was not clicked. */
export interface ClickOutcome {
  /** Click instant, epoch milliseconds (after the impression). */
  readonly clickMs: number;
  /** Add-to-cart instant, or null when the user did not add it to the cart. */
  readonly cartMs: number | null;
  /** Purchase instant, or null when the click did not convert. */
  readonly purchaseMs: number | null;
}

/** One request as the run loop yields it: the request, the feed shown, what happened. */
export interface LoggedRequest {
  readonly request: FeedRequest;
  readonly feed: readonly ShownItem[];
  /** Per feed slot: the click outcome, or null for no click. */
  readonly outcomes: readonly (ClickOutcome | null)[];
  /** Per feed slot: the true click probability the outcome was drawn with. */
  readonly clickProbabilities: Float64Array;
}

/**
 * A simulated marketplace: catalogue, users, ground truth, and a run loop that shows logged
 * feeds to arriving users and draws their reactions. Construction is deterministic in the
 * config's seed; so is every run (each run restarts the period from a clean state).
 */
export class Marketplace {
  /** The resolved config (defaults filled in). */
  readonly config: MarketplaceConfig;
  readonly catalogue: Catalogue;
  readonly population: Population;
  readonly groundTruth: GroundTruth;
  private readonly channels: CandidateChannels;
  private readonly userIndex: Map<string, number>;
  private readonly itemIndex: Map<string, number>;
  private outcomeRandom: SeededRandom;

  /** Generates catalogue, users and ground truth; missing config fields take the defaults. */
  constructor(config: MarketplaceConfigInput = {}) {
    this.config = resolveMarketplaceConfig(config);
    const expectedDailyClicks =
      (expectedImpressions(this.config) / this.config.days) * nominalClickThroughRate;
    this.catalogue = new Catalogue(this.config, expectedDailyClicks);
    this.population = new Population(this.config, this.catalogue);
    this.groundTruth = new GroundTruth(this.config, this.catalogue, this.population);
    this.channels = new CandidateChannels(this.config, this.catalogue, this.population.size);
    this.userIndex = new Map(this.population.users.map((user) => [user.id, user.index]));
    this.itemIndex = new Map(this.catalogue.items.map((item) => [item.id, item.index]));
    this.outcomeRandom = SeededRandom.stream(this.config.seed, 'outcomes');
  }

  /** The users, in id order. */
  get users(): readonly SimulatedUser[] {
    return this.population.users;
  }

  /** The catalogue, in id order. */
  get items(): readonly SimulatedItem[] {
    return this.catalogue.items;
  }

  /** The user with this id; throws {@link UnknownSimulatedEntityError}. */
  user(userId: string): SimulatedUser {
    const index = this.userIndex.get(userId);
    if (index === undefined) throw new UnknownSimulatedEntityError('user', userId);
    return this.population.users[index];
  }

  /** The item with this id; throws {@link UnknownSimulatedEntityError}. */
  item(itemId: string): SimulatedItem {
    const index = this.itemIndex.get(itemId);
    if (index === undefined) throw new UnknownSimulatedEntityError('item', itemId);
    return this.catalogue.items[index];
  }

  /** True P(click) of the item shown to the user at the 1-based position and instant. */
  clickProbability(userId: string, itemId: string, position: number, time: Date | number): number {
    const timeMs = typeof time === 'number' ? time : time.getTime();
    const user = this.user(userId).index;
    return this.groundTruth.clickProbability(user, this.item(itemId).index, position, timeMs);
  }

  /** True P(purchase | click) of the item for the user at the instant. */
  purchaseProbability(userId: string, itemId: string, time: Date | number): number {
    const timeMs = typeof time === 'number' ? time : time.getTime();
    return this.groundTruth.purchaseProbability(
      this.user(userId).index,
      this.item(itemId).index,
      timeMs,
    );
  }

  /** The default logging policy: the configured channel mix. */
  loggingPolicy(): FeedPolicy {
    return new ChannelMixPolicy(this.config.channelMix);
  }

  /**
   * Runs the period: users arrive day by day, `policy` fills each request's feed, outcomes are
   * drawn from the ground truth, and clicks and purchases feed back into the candidate
   * channels at their own instants. Yields every request in time order. Each call starts
   * from a clean state with the same arrivals, so two policies meet the same traffic; the
   * state is the marketplace's own, so run one generator at a time per marketplace.
   */
  *runLoggedFeed(policy: FeedPolicy = this.loggingPolicy()): Generator<LoggedRequest> {
    const config = this.config;
    const channels = this.channels;
    const trafficRandom = SeededRandom.stream(config.seed, 'traffic');
    const policyRandom = SeededRandom.stream(config.seed, 'policy');
    this.outcomeRandom = SeededRandom.stream(config.seed, 'outcomes');
    channels.reset();
    const feedback = new FeedbackQueue();
    const shownInSession = new Map<number, Set<number>>();
    const expectedRequests = expectedImpressions(config) / config.feedSize;
    const requestIdWidth = Math.max(7, String(Math.ceil(2 * expectedRequests)).length);
    let requestNumber = 0;
    let sessionId = 0;

    let carried: DaySchedule | null = null;
    let carriedFrom = 0;
    for (let day = 0; day < config.days; day++) {
      const dayStartMs = startMilliseconds(config) + day * dayMilliseconds;
      const nextDayStartMs = dayStartMs + dayMilliseconds;
      const lastDay = day === config.days - 1;
      const planned = scheduleDay(config, this.population, dayStartMs, sessionId, trafficRandom);
      sessionId = planned.nextSessionId;
      const schedule: DaySchedule = carried
        ? appendSchedule(carried, carriedFrom, planned.schedule)
        : planned.schedule;
      carried = null;

      for (let slot = 0; slot < schedule.count; slot++) {
        const timeMs = schedule.timeMs[slot];
        if (!lastDay && timeMs >= nextDayStartMs) {
          // Sessions running past midnight continue in the next day's time order.
          carried = schedule;
          carriedFrom = slot;
          break;
        }
        feedback.applyUntil(timeMs, channels);
        channels.advanceTo(timeMs);
        const session = schedule.session[slot];
        let alreadyShown = shownInSession.get(session);
        if (!alreadyShown) shownInSession.set(session, (alreadyShown = new Set()));
        requestNumber++;

        const request: FeedRequest = {
          id: `r${String(requestNumber).padStart(requestIdWidth, '0')}`,
          user: this.population.users[schedule.user[slot]],
          timeMs,
          time: new Date(timeMs),
          sessionId: session,
          feedSize: config.feedSize,
          alreadyShown,
          items: this.catalogue.items,
          candidates: channels,
          random: policyRandom,
        };
        const feed = policy.rank(request);
        this.checkFeed(policy, request, feed);

        const clickProbabilities = new Float64Array(feed.length);
        const outcomes: (ClickOutcome | null)[] = new Array(feed.length);
        for (let index = 0; index < feed.length; index++) {
          const shown = feed[index];
          alreadyShown.add(shown.item.index);
          const probability = this.groundTruth.clickProbability(
            request.user.index,
            shown.item.index,
            shown.position,
            timeMs,
          );
          clickProbabilities[index] = probability;
          const outcome = this.drawOutcomeWith(request, shown, probability);
          outcomes[index] = outcome;
          if (outcome) feedback.push(outcome, request.user.index, shown.item.index);
        }
        if (schedule.lastOfSession[slot]) shownInSession.delete(session);
        yield { request, feed, outcomes, clickProbabilities };
      }
    }
  }

  /**
   * Draws what the user does with a shown item, from the ground truth: a click with its true
   * probability at the item's position, then a purchase with P(purchase | click); cart users
   * put the item in the cart before buying (and sometimes without buying). Null: no click.
   */
  drawOutcome(request: FeedRequest, shown: ShownItem): ClickOutcome | null {
    const probability = this.groundTruth.clickProbability(
      request.user.index,
      shown.item.index,
      shown.position,
      request.timeMs,
    );
    return this.drawOutcomeWith(request, shown, probability);
  }

  private drawOutcomeWith(
    request: FeedRequest,
    shown: ShownItem,
    clickProbability: number,
  ): ClickOutcome | null {
    const random = this.outcomeRandom;
    if (!random.bernoulli(clickProbability)) return null;

    const user = request.user;
    const clickMs =
      request.timeMs +
      delays.clickMinimum +
      delays.clickPerPosition * shown.position +
      Math.floor(random.exponential(delays.clickMean));
    const purchased = random.bernoulli(
      this.groundTruth.purchaseProbability(user.index, shown.item.index, request.timeMs),
    );
    const carted = user.usesCart && (purchased || random.bernoulli(cartAbandonmentProbability));
    const cartMs = carted
      ? clickMs + delays.cartMinimum + Math.floor(random.exponential(delays.cartMean))
      : null;
    const purchaseMs = purchased
      ? (cartMs ?? clickMs) +
        delays.purchaseMinimum +
        Math.floor(random.exponential(delays.purchaseMean))
      : null;
    return { clickMs, cartMs, purchaseMs };
  }

  private checkFeed(policy: FeedPolicy, request: FeedRequest, feed: readonly ShownItem[]): void {
    if (feed.length > request.feedSize) {
      throw new InvalidFeedError(policy.name, request.id, `${feed.length} items > feed size`);
    }
    const seen = new Set<number>();
    feed.forEach((shown, index) => {
      const item = shown.item;
      if (this.catalogue.items[item.index] !== item) {
        throw new InvalidFeedError(policy.name, request.id, `unknown item ${item.id}`);
      }
      if (shown.position !== index + 1) {
        throw new InvalidFeedError(
          policy.name,
          request.id,
          `item ${item.id} at position ${shown.position}, expected ${index + 1}`,
        );
      }
      if (!this.channels.isLaunched(item.index)) {
        throw new InvalidFeedError(policy.name, request.id, `item ${item.id} not launched yet`);
      }
      if (seen.has(item.index) || request.alreadyShown.has(item.index)) {
        throw new InvalidFeedError(policy.name, request.id, `item ${item.id} repeated`);
      }
      seen.add(item.index);
    });
  }
}
