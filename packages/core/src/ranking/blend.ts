import { BlendSettings, ChannelName, channelNames } from '../invocation/schema';

/** A scored candidate before blending. */
export interface ScoredCandidate {
  item_id: string;
  channel: ChannelName;
  category: string | null;
  p_ctr: number;
  p_cvr: number;
  score: number;
}

/** A candidate placed in the feed, with its 1-based position. */
export interface PlacedCandidate extends ScoredCandidate {
  position: number;
}

/**
 * The ranking objective: expected conversion pCTR × pCVR, times price^priceWeight (weight 0,
 * the default, ignores price; weight 1 ranks by expected revenue). A missing price counts as 1.
 */
export function objectiveScore(
  pCtr: number,
  pCvr: number,
  price: number | null,
  priceWeight: number,
): number {
  const priceFactor =
    priceWeight === 0 || price === null ? 1 : Math.pow(Math.max(price, 0), priceWeight);
  return pCtr * pCvr * priceFactor;
}

/**
 * Assembles the top `k` of a feed from scored candidates, position by position:
 *
 * 1. a reserved explore position takes the best remaining explore candidate, if any;
 * 2. otherwise the best remaining candidate that keeps every rule: its channel below its maximum
 *    share, its category below the cap, and enough positions left for every channel still short
 *    of its minimum share;
 * 3. when no candidate keeps every rule, the category cap is relaxed first and channel maxima
 *    next, so the feed is never left shorter than the candidates allow.
 *
 * Shares are of k and rounded: a minimum up, a maximum down. Items are never repeated.
 */
export function blendFeed(
  candidates: readonly ScoredCandidate[],
  settings: BlendSettings,
  k: number,
): PlacedCandidate[] {
  const remaining = [...candidates].sort(
    (a, b) => b.score - a.score || a.item_id.localeCompare(b.item_id),
  );
  const size = Math.min(k, new Set(remaining.map((item) => item.item_id)).size);
  const minimum = (channel: ChannelName) =>
    Math.ceil((settings.channel_quotas[channel]?.min ?? 0) * k);
  const maximum = (channel: ChannelName) =>
    Math.floor((settings.channel_quotas[channel]?.max ?? 1) * k);
  const explorePositions = new Set(settings.explore_positions);
  const taken = new Map<ChannelName, number>(channelNames.map((channel) => [channel, 0]));
  const perCategory = new Map<string, number>();
  const placed: PlacedCandidate[] = [];
  const used = new Set<string>();

  const unused = new Map<ChannelName, number>(channelNames.map((channel) => [channel, 0]));
  for (const item of remaining) unused.set(item.channel, unused.get(item.channel)! + 1);

  while (placed.length < size) {
    const position = placed.length + 1;
    // Positions still owed to channels below their minimum, counting only channels that
    // still have candidates to give.
    let owed = 0;
    for (const channel of channelNames) {
      const missing = Math.max(0, minimum(channel) - taken.get(channel)!);
      owed += Math.min(missing, unused.get(channel)!);
    }
    const slotsLeft = size - placed.length;

    const fits = (item: ScoredCandidate, relax: number) => {
      if (used.has(item.item_id)) return false;
      const categoryFull =
        settings.category_cap !== null &&
        item.category !== null &&
        (perCategory.get(item.category) ?? 0) >= settings.category_cap;
      if (relax < 1 && categoryFull) return false;
      if (relax < 2 && taken.get(item.channel)! >= maximum(item.channel)) return false;
      const helpsQuota = taken.get(item.channel)! < minimum(item.channel);
      return relax >= 2 || owed < slotsLeft || helpsQuota;
    };

    let choice: ScoredCandidate | undefined;
    if (explorePositions.has(position)) {
      for (let relax = 0; !choice && relax <= 1; relax++) {
        choice = remaining.find((item) => item.channel === 'explore' && fits(item, relax));
      }
    }
    for (let relax = 0; !choice && relax <= 2; relax++) {
      choice = remaining.find((item) => fits(item, relax));
    }
    if (!choice) break;

    used.add(choice.item_id);
    taken.set(choice.channel, taken.get(choice.channel)! + 1);
    unused.set(choice.channel, unused.get(choice.channel)! - 1);
    if (choice.category !== null) {
      perCategory.set(choice.category, (perCategory.get(choice.category) ?? 0) + 1);
    }
    placed.push({ ...choice, position });
  }
  return placed;
}
