import { SimulatedItem } from './catalogue';
import { CandidateSource } from './channels';
import { CandidateChannel, ChannelMix, candidateChannels } from './config';
import { SimulatedUser } from './population';
import { SeededRandom } from '../random';

/** One feed request: who asks, when, and what the policy may draw candidates from. */
export interface FeedRequest {
  /** Id written as `request_id`, e.g. `r0000042`. */
  readonly id: string;
  readonly user: SimulatedUser;
  /** Request instant (epoch milliseconds); impressions carry it as `ts`. */
  readonly timeMs: number;
  /** The same instant as a Date, shared by the request's impressions. */
  readonly time: Date;
  /** Session id (unique over the run); a session's requests never repeat an item. */
  readonly sessionId: number;
  /** Number of slots to fill (positions 1..feedSize). */
  readonly feedSize: number;
  /** Items shown earlier in this session; the marketplace rejects feeds that repeat them. */
  readonly alreadyShown: ReadonlySet<number>;
  /** The catalogue, indexed by item index. */
  readonly items: readonly SimulatedItem[];
  /** The candidate channels as of the request instant. */
  readonly candidates: CandidateSource;
  /** The policy's own random stream (separate from arrivals and outcomes). */
  readonly random: SeededRandom;
}

/** One item of a feed as logged: where it was shown, which channel brought it, how likely. */
export interface ShownItem {
  readonly item: SimulatedItem;
  /** 1-based slot. */
  readonly position: number;
  readonly channel: CandidateChannel;
  /** Probability that the logging policy puts this item in this slot (see the policy). */
  readonly propensity: number;
}

/** A way of filling a feed; plug another one into `Marketplace.runLoggedFeed`. */
export interface FeedPolicy {
  /** Name for logs and reports. */
  readonly name: string;
  /**
   * The feed for the request, in position order (positions 1..n, n ≤ feedSize), of launched
   * items not yet shown in the session, without repeats.
   */
  rank(request: FeedRequest): ShownItem[];
}

/** Draws per slot before a slot falls back to the explore channel. */
const drawAttempts = 6;

/**
 * The default logging policy: every slot independently picks a channel with the configured
 * mix (exploit's share goes to popularity for users without history, recent's to explore when
 * nothing is new), then an item from that channel, redrawing items already in the feed or the
 * session. Because slots are filled independently, position is independent of the channel and
 * of the item given the request, so position bias is identifiable from the log (as with the
 * randomised logging policies of the Open Bandit Dataset).
 *
 * The recorded propensity is the marginal probability that a slot shows the item:
 * Σ over channels of mix share × P(channel draws the item). It ignores the redraws that avoid
 * repeats, so it is slightly low for items that compete with many repeats (a known, small
 * approximation: feeds are 10 of hundreds of items).
 */
export class ChannelMixPolicy implements FeedPolicy {
  readonly name = 'channel-mix';
  private readonly shares = new Float64Array(candidateChannels.length);
  private readonly chosen = new Set<number>();

  constructor(private readonly mix: ChannelMix) {}

  rank(request: FeedRequest): ShownItem[] {
    const { candidates, random, user } = request;
    const shares = this.effectiveShares(candidates, user.index);
    const feed: ShownItem[] = [];
    this.chosen.clear();

    for (let position = 1; position <= request.feedSize; position++) {
      let channel = candidateChannels[random.weightedIndex(shares)];
      let item = this.drawFresh(request, channel);
      if (item < 0 && channel !== 'explore') {
        channel = 'explore';
        item = this.drawFresh(request, channel);
      }
      if (item < 0) break;
      this.chosen.add(item);
      feed.push({
        item: request.items[item],
        position,
        channel,
        propensity: this.propensity(candidates, shares, user.index, item),
      });
    }
    return feed;
  }

  /** The mix for this user and instant, normalised, with unavailable channels' shares moved. */
  private effectiveShares(candidates: CandidateSource, user: number): Float64Array {
    const shares = this.shares;
    candidateChannels.forEach((channel, index) => (shares[index] = this.mix[channel]));
    const [exploit, explore, popularity, recent] = [0, 1, 2, 3];
    if (!candidates.available('exploit', user)) {
      shares[popularity] += shares[exploit];
      shares[exploit] = 0;
    }
    if (!candidates.available('recent', user)) {
      shares[explore] += shares[recent];
      shares[recent] = 0;
    }
    if (!candidates.available('popularity', user)) {
      shares[explore] += shares[popularity];
      shares[popularity] = 0;
    }
    let total = 0;
    for (const share of shares) total += share;
    for (let index = 0; index < shares.length; index++) shares[index] /= total;
    return shares;
  }

  private drawFresh(request: FeedRequest, channel: CandidateChannel): number {
    for (let attempt = 0; attempt < drawAttempts; attempt++) {
      const item = request.candidates.draw(channel, request.user.index, request.random);
      if (item < 0) return -1;
      if (!this.chosen.has(item) && !request.alreadyShown.has(item)) return item;
    }
    return -1;
  }

  private propensity(
    candidates: CandidateSource,
    shares: Float64Array,
    user: number,
    item: number,
  ): number {
    let probability = 0;
    candidateChannels.forEach((channel, index) => {
      if (shares[index] > 0)
        probability += shares[index] * candidates.probability(channel, user, item);
    });
    return probability;
  }
}
