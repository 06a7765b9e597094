import { CandidateChannel, candidateChannels } from '../simulator/config';
import { FeedPolicy, FeedRequest, ShownItem } from '../simulator/policy';

/**
 * The popularity ranking, the usual baseline: the launched items with the highest trending
 * score (decayed recent clicks, the board the popularity channel draws from) that the session
 * has not shown yet, in score order, the same for every user.
 */
export class PopularityFeedPolicy implements FeedPolicy {
  readonly name = 'popularity';
  /** The board in score order as last scanned; rescanned when any score changed. */
  private board: { item: number; score: number }[] = [];

  rank(request: FeedRequest): ShownItem[] {
    const { items, alreadyShown } = request;
    if (!this.boardUnchanged(request)) this.board = this.scanBoard(request);
    const feed: ShownItem[] = [];
    for (const { item } of this.board) {
      if (feed.length >= request.feedSize) break;
      if (alreadyShown.has(item) || !request.candidates.isLaunched(item)) continue;
      feed.push({
        item: items[item],
        position: feed.length + 1,
        channel: 'popularity',
        propensity: 1,
      });
    }
    return fillFromChannel(request, feed, 'explore');
  }

  /**
   * Whether the board is the one scanned last: the board is rebuilt hourly with decayed
   * scores, so a rebuild changes the share of every item on it (and a new item's entry
   * changes the total, hence every share).
   */
  private boardUnchanged(request: FeedRequest): boolean {
    if (this.board.length === 0) return false;
    const user = request.user.index;
    return this.board.every(
      ({ item, score }) => request.candidates.probability('popularity', user, item) === score,
    );
  }

  /** The board's items by the share of the trending score they hold, highest first. */
  private scanBoard(request: FeedRequest): { item: number; score: number }[] {
    const board: { item: number; score: number }[] = [];
    for (const item of request.items) {
      const score = request.candidates.probability('popularity', request.user.index, item.index);
      if (score > 0) board.push({ item: item.index, score });
    }
    return board.sort((left, right) => right.score - left.score || left.item - right.item);
  }
}

/** Uniformly random launched items: the floor every ranking must beat. */
export class RandomFeedPolicy implements FeedPolicy {
  readonly name = 'random';

  rank(request: FeedRequest): ShownItem[] {
    return fillFromChannel(request, [], 'explore');
  }
}

/** Candidates asked from each channel by {@link candidatePool}; 100 in all by default. */
export type CandidateQuotas = Record<CandidateChannel, number>;

/** The default quotas: what the user likes, what is trending, a little exploration and news. */
export const defaultCandidateQuotas: Readonly<CandidateQuotas> = Object.freeze({
  exploit: 40,
  explore: 20,
  popularity: 30,
  recent: 10,
});

/** A candidate for an external ranker: the item and the channel that proposed it. */
export interface PooledCandidate {
  item: number;
  channel: CandidateChannel;
}

/**
 * Distinct launched items the session has not shown, drawn from the marketplace's candidate
 * channels with the given quotas (fewer when a channel runs dry), for a ranker that picks the
 * feed among them (the trained model behind the endpoint).
 */
export function candidatePool(
  request: FeedRequest,
  quotas: Readonly<CandidateQuotas> = defaultCandidateQuotas,
): PooledCandidate[] {
  const pool: PooledCandidate[] = [];
  const taken = new Set<number>();
  for (const channel of candidateChannels) {
    if (!request.candidates.available(channel, request.user.index)) continue;
    let found = 0;
    // A few times the quota in draws: channels repeat items, and repeats are skipped.
    for (let draw = 0; draw < quotas[channel] * 3 && found < quotas[channel]; draw++) {
      const item = request.candidates.draw(channel, request.user.index, request.random);
      if (item < 0) break;
      if (taken.has(item) || request.alreadyShown.has(item)) continue;
      taken.add(item);
      pool.push({ item, channel });
      found++;
    }
  }
  return pool;
}

/** Completes `feed` to the feed size with fresh items from `channel` (bounded attempts). */
function fillFromChannel(
  request: FeedRequest,
  feed: ShownItem[],
  channel: CandidateChannel,
): ShownItem[] {
  const chosen = new Set(feed.map((shown) => shown.item.index));
  for (
    let attempt = 0;
    feed.length < request.feedSize && attempt < request.feedSize * 6;
    attempt++
  ) {
    const item = request.candidates.draw(channel, request.user.index, request.random);
    if (item < 0) break;
    if (chosen.has(item) || request.alreadyShown.has(item)) continue;
    chosen.add(item);
    feed.push({
      item: request.items[item],
      position: feed.length + 1,
      channel,
      propensity: request.candidates.probability(channel, request.user.index, item),
    });
  }
  return feed;
}
