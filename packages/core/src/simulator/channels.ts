import { Catalogue } from './catalogue';
import { CandidateChannel, MarketplaceConfig, startMilliseconds } from './config';
import { CumulativeWeights, SeededRandom } from '../random';

const hourMilliseconds = 3_600_000;
const dayMilliseconds = 86_400_000;

/** Weight a purchase adds to a category of the user's history (a click adds 1). */
const purchaseHistoryWeight = 2;

/**
 * What the marketplace's logging system knows when a request arrives, and how each candidate
 * channel draws from it. It knows only what was logged before the request (history, clicks),
 * never the users' true preferences:
 *
 * - exploit: a category drawn in proportion to the user's clicks (+2 per purchase) in it, then
 *   a uniformly drawn launched item of that category. Users without history have none.
 * - explore: a uniformly drawn launched item.
 * - popularity: an item of the trending board, in proportion to its trending score: clicks
 *   decayed with the configured half-life, the board rebuilt every simulated hour from the top
 *   items (as a batch job would). Before the period it holds the catalogue's prior clicks.
 * - recent: a uniformly drawn item launched within the last `newItemDays`.
 */
export interface CandidateSource {
  /** Whether the channel can offer any item to this user now. */
  available(channel: CandidateChannel, user: number): boolean;
  /** One item index drawn from the channel for the user now, or -1 when it has none. */
  draw(channel: CandidateChannel, user: number, random: SeededRandom): number;
  /** Probability that {@link draw} returns `item` for this user now. */
  probability(channel: CandidateChannel, user: number, item: number): number;
  /** Whether the item has launched and may be shown now. */
  isLaunched(item: number): boolean;
  /** Number of launched items now. */
  readonly launchedCount: number;
}

/** The mutable state behind {@link CandidateSource}, advanced by the marketplace's run loop. */
export class CandidateChannels implements CandidateSource {
  private readonly categoryCount: number;
  private readonly launched: Int32Array;
  private launchedTotal = 0;
  private readonly categoryLaunched: Int32Array[];
  private readonly categoryLaunchedCount: Int32Array;
  private readonly sortedLaunchMs: Float64Array;
  private recentStart = 0;
  private nowMs = 0;
  private readonly history: Float64Array;
  private readonly historyTotal: Float64Array;
  private readonly trendScore: Float64Array;
  private readonly pendingClicks: Float64Array;
  private readonly boardWeight: Float64Array;
  private board = new Int32Array(0);
  private boardSampler = new CumulativeWeights([]);
  private lastRefreshMs = 0;

  /** The state at the start of the period (see {@link reset}). */
  constructor(
    private readonly config: MarketplaceConfig,
    private readonly catalogue: Catalogue,
    userCount: number,
  ) {
    this.categoryCount = config.categories;
    const itemCount = catalogue.size;
    this.launched = new Int32Array(itemCount);
    const perCategory = new Int32Array(this.categoryCount);
    for (const category of catalogue.categoryOf) perCategory[category]++;
    this.categoryLaunched = Array.from(perCategory, (count) => new Int32Array(count));
    this.categoryLaunchedCount = new Int32Array(this.categoryCount);
    this.sortedLaunchMs = Float64Array.from(
      catalogue.launchOrder,
      (item) => catalogue.launchMs[item],
    );
    this.history = new Float64Array(userCount * this.categoryCount);
    this.historyTotal = new Float64Array(userCount);
    this.trendScore = new Float64Array(itemCount);
    this.pendingClicks = new Float64Array(itemCount);
    this.boardWeight = new Float64Array(itemCount);
    this.reset();
  }

  /** Forgets all history and launches: the state at the start of the period. */
  reset(): void {
    this.launchedTotal = 0;
    this.categoryLaunchedCount.fill(0);
    this.recentStart = 0;
    this.history.fill(0);
    this.historyTotal.fill(0);
    this.trendScore.set(this.catalogue.priorDailyClicks);
    this.pendingClicks.fill(0);
    const startMs = startMilliseconds(this.config);
    this.nowMs = startMs;
    this.admitLaunches(startMs);
    this.lastRefreshMs = startMs - hourMilliseconds;
    this.refreshTrending(startMs);
  }

  /** Moves the clock to `timeMs` (non-decreasing): launches items, rebuilds the board hourly. */
  advanceTo(timeMs: number): void {
    this.nowMs = timeMs;
    this.admitLaunches(timeMs);
    const windowStart = timeMs - this.config.newItemDays * dayMilliseconds;
    while (
      this.recentStart < this.launchedTotal &&
      this.sortedLaunchMs[this.recentStart] <= windowStart
    ) {
      this.recentStart++;
    }
    if (timeMs - this.lastRefreshMs >= hourMilliseconds) this.refreshTrending(timeMs);
  }

  /** Records a click (category history now, trending board at its next rebuild). */
  recordClick(user: number, item: number): void {
    const category = this.catalogue.categoryOf[item];
    this.history[user * this.categoryCount + category] += 1;
    this.historyTotal[user] += 1;
    this.pendingClicks[item] += 1;
  }

  /** Records a purchase in the user's category history. */
  recordPurchase(user: number, item: number): void {
    const category = this.catalogue.categoryOf[item];
    this.history[user * this.categoryCount + category] += purchaseHistoryWeight;
    this.historyTotal[user] += purchaseHistoryWeight;
  }

  get launchedCount(): number {
    return this.launchedTotal;
  }

  isLaunched(item: number): boolean {
    return this.catalogue.launchMs[item] <= this.nowMs;
  }

  available(channel: CandidateChannel, user: number): boolean {
    switch (channel) {
      case 'exploit':
        return this.historyTotal[user] > 0;
      case 'explore':
        return this.launchedTotal > 0;
      case 'popularity':
        return this.board.length > 0;
      case 'recent':
        return this.launchedTotal > this.recentStart;
    }
  }

  draw(channel: CandidateChannel, user: number, random: SeededRandom): number {
    switch (channel) {
      case 'exploit':
        return this.drawExploit(user, random);
      case 'explore':
        return this.launchedTotal === 0 ? -1 : this.launched[random.int(this.launchedTotal)];
      case 'popularity': {
        const slot = this.boardSampler.sample(random);
        return slot < 0 ? -1 : this.board[slot];
      }
      case 'recent': {
        const count = this.launchedTotal - this.recentStart;
        if (count <= 0) return -1;
        return this.catalogue.launchOrder[this.recentStart + random.int(count)];
      }
    }
  }

  probability(channel: CandidateChannel, user: number, item: number): number {
    if (!this.isLaunched(item)) return 0;
    switch (channel) {
      case 'exploit': {
        const category = this.catalogue.categoryOf[item];
        const weight = this.history[user * this.categoryCount + category];
        if (weight === 0) return 0;
        return weight / this.exploitTotal(user) / this.categoryLaunchedCount[category];
      }
      case 'explore':
        return 1 / this.launchedTotal;
      case 'popularity':
        return this.boardSampler.total > 0 ? this.boardWeight[item] / this.boardSampler.total : 0;
      case 'recent': {
        const windowStart = this.nowMs - this.config.newItemDays * dayMilliseconds;
        if (this.catalogue.launchMs[item] <= windowStart) return 0;
        return 1 / (this.launchedTotal - this.recentStart);
      }
    }
  }

  private drawExploit(user: number, random: SeededRandom): number {
    const total = this.exploitTotal(user);
    if (total <= 0) return -1;
    let target = random.next() * total;
    const offset = user * this.categoryCount;
    for (let category = 0; category < this.categoryCount; category++) {
      const count = this.categoryLaunchedCount[category];
      if (count === 0) continue;
      target -= this.history[offset + category];
      if (target < 0) return this.categoryLaunched[category][random.int(count)];
    }
    return -1;
  }

  /** History weight over categories that have launched items (exploit can draw only those). */
  private exploitTotal(user: number): number {
    let total = 0;
    const offset = user * this.categoryCount;
    for (let category = 0; category < this.categoryCount; category++) {
      if (this.categoryLaunchedCount[category] > 0) total += this.history[offset + category];
    }
    return total;
  }

  private admitLaunches(timeMs: number): void {
    const order = this.catalogue.launchOrder;
    while (this.launchedTotal < order.length && this.sortedLaunchMs[this.launchedTotal] <= timeMs) {
      const item = order[this.launchedTotal];
      const category = this.catalogue.categoryOf[item];
      this.categoryLaunched[category][this.categoryLaunchedCount[category]++] = item;
      this.launched[this.launchedTotal++] = item;
    }
  }

  /**
   * Decays the trending scores to `timeMs`, adds the clicks since the last rebuild and keeps
   * the top `trendingBoardSize` launched items with a positive score as the new board.
   */
  private refreshTrending(timeMs: number): void {
    const elapsedHours = (timeMs - this.lastRefreshMs) / hourMilliseconds;
    const decay = Math.pow(0.5, elapsedHours / this.config.trendingHalfLifeHours);
    for (let item = 0; item < this.trendScore.length; item++) {
      this.trendScore[item] = this.trendScore[item] * decay + this.pendingClicks[item];
    }
    this.pendingClicks.fill(0);
    this.lastRefreshMs = timeMs;

    const candidates: number[] = [];
    for (let slot = 0; slot < this.launchedTotal; slot++) {
      const item = this.launched[slot];
      if (this.trendScore[item] > 0) candidates.push(item);
    }
    candidates.sort(
      (left, right) => this.trendScore[right] - this.trendScore[left] || left - right,
    );
    for (const item of this.board) this.boardWeight[item] = 0;
    this.board = Int32Array.from(candidates.slice(0, this.config.trendingBoardSize));
    for (const item of this.board) this.boardWeight[item] = this.trendScore[item];
    this.boardSampler = new CumulativeWeights(
      Array.from(this.board, (item) => this.trendScore[item]),
    );
  }
}
