import type { ChannelName } from '@gfr/core';

import { CandidateReference, ChannelQuotas, UserFeatures } from './types';

/**
 * Candidate channels. Popularity, recent and the per-category top lists are global and
 * materialized; exploit is materialized per user; explore is drawn at request time so that it
 * needs no per-user storage.
 */

/** Channels in the order that keeps an item offered by several of them. */
export const channelPriority: readonly ChannelName[] = [
  'exploit',
  'popularity',
  'recent',
  'explore',
];

/** Candidates per channel a {@link FeedRanker} asks for unless told otherwise. */
export const defaultChannelQuotas: Readonly<Required<ChannelQuotas>> = Object.freeze({
  exploit: 50,
  popularity: 50,
  recent: 25,
  explore: 25,
});

/** The lists a store reads candidates from. */
export interface ChannelLists {
  /** The user's exploit list, best first (empty for users without clicks). */
  exploit: readonly string[];
  /** Items by decayed clicks at the end of the log, best first. */
  popularity: readonly string[];
  /** Items by creation time (or first sighting), newest first. */
  recent: readonly string[];
  /** Every category that has a top list. */
  categories: readonly string[];
  /** The first `limit` items of a category's top list (decayed clicks, then newest). */
  categoryTop(category: string, limit: number): readonly string[];
}

/**
 * Picks the user's candidates: each channel in {@link channelPriority} order reads down its
 * list until it has its quota of items that are neither bought nor already taken, so a quota
 * is met whenever the list is long enough. Explore draws from the categories the user never
 * clicked or bought in (see {@link exploreDraw}).
 */
export function assembleCandidates(
  user: Pick<UserFeatures, 'user_id' | 'categories' | 'purchased_items'>,
  lists: ChannelLists,
  quotas: ChannelQuotas,
): CandidateReference[] {
  const taken = new Set<string>(user.purchased_items);
  const candidates: CandidateReference[] = [];

  const fill = (channel: ChannelName, source: Iterable<string>) => {
    const quota = quotas[channel] ?? 0;
    let added = 0;
    if (quota <= 0) return;
    for (const itemId of source) {
      if (taken.has(itemId)) continue;
      taken.add(itemId);
      candidates.push({ item_id: itemId, channel });
      if (++added >= quota) return;
    }
  };

  for (const channel of channelPriority) {
    if (channel === 'explore') {
      const engaged = new Set(Object.keys(user.categories));
      const unexplored = lists.categories.filter((category) => !engaged.has(category));
      // Deep enough for the whole quota from one category even if every taken item is in it.
      const depth = (quotas.explore ?? 0) + taken.size;
      fill(channel, exploreDraw(user.user_id, unexplored, lists, depth));
    } else {
      fill(channel, lists[channel]);
    }
  }
  return candidates;
}

/**
 * The explore channel of one user: categories the user never engaged with, in an order that is
 * a stable pseudo-random function of the user and the category (the same user gets the same
 * order until the store is rebuilt; different users get different ones), visited round-robin,
 * each contributing its top items best first. Yields lazily, so only what is taken is read.
 */
export function* exploreDraw(
  userId: string,
  categories: readonly string[],
  lists: Pick<ChannelLists, 'categoryTop'>,
  depth: number,
): Generator<string> {
  const order = [...categories].sort(
    (a, b) =>
      stableHash(`${userId}\u0000${a}`) - stableHash(`${userId}\u0000${b}`) || a.localeCompare(b),
  );
  const tops = new Map<string, readonly string[]>();
  for (let round = 0; round < depth; round++) {
    let any = false;
    for (const category of order) {
      let top = tops.get(category);
      if (!top) {
        top = lists.categoryTop(category, depth);
        tops.set(category, top);
      }
      if (round < top.length) {
        any = true;
        yield top[round];
      }
    }
    if (!any) return;
  }
}

/**
 * 32-bit FNV-1a of the UTF-16 code units of `text`: cheap, stable across processes and
 * platforms, and spread enough to shuffle categories. Not a cryptographic hash.
 */
export function stableHash(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
