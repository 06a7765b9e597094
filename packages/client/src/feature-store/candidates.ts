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
      fill(channel, exploreDraw(user.user_id, unexplored, lists, depth, quotas.explore ?? 0));
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
 * each contributing its top items best first. Yields lazily and reads each category's list in
 * growing slices, so a draw of `quota` items reads about that many ids, not every top list.
 */
export function* exploreDraw(
  userId: string,
  categories: readonly string[],
  lists: Pick<ChannelLists, 'categoryTop'>,
  depth: number,
  quota = depth,
): Generator<string> {
  const order = new StableOrder(userId, categories);
  const firstSlice = Math.max(1, Math.ceil(quota / Math.max(1, categories.length)) + 1);
  const slices = new Map<string, { ids: readonly string[]; complete: boolean }>();
  const slice = (category: string, round: number) => {
    let read = slices.get(category);
    if (!read || (round >= read.ids.length && !read.complete)) {
      const limit = Math.min(depth, Math.max(firstSlice, (read?.ids.length ?? 0) * 2));
      const ids = lists.categoryTop(category, limit);
      read = { ids, complete: ids.length < limit || limit >= depth };
      slices.set(category, read);
    }
    return read.ids;
  };

  for (let round = 0; round < depth; round++) {
    let any = false;
    for (let index = 0; index < categories.length; index++) {
      const ids = slice(order.at(index), round);
      if (round < ids.length) {
        any = true;
        yield ids[round];
      }
    }
    if (!any) return;
  }
}

/**
 * Categories in the order of their hash with the user, produced lazily: a binary heap built in
 * linear time yields the next category in O(log n), so a draw that visits ten of three
 * thousand categories does not sort all of them (which took about 13 ms per request).
 */
class StableOrder {
  private readonly heap: number[];
  private readonly hashes: Uint32Array;
  private readonly sorted: string[] = [];

  constructor(
    userId: string,
    private readonly categories: readonly string[],
  ) {
    this.hashes = new Uint32Array(categories.length);
    categories.forEach((category, index) => {
      this.hashes[index] = stableHash(`${userId}\u0000${category}`);
    });
    this.heap = categories.map((_, index) => index);
    for (let index = (this.heap.length >> 1) - 1; index >= 0; index--) this.sift(index);
  }

  /** The category at `position` of the order. */
  at(position: number): string {
    while (this.sorted.length <= position) {
      const top = this.heap[0];
      const last = this.heap.pop()!;
      if (this.heap.length > 0) {
        this.heap[0] = last;
        this.sift(0);
      }
      this.sorted.push(this.categories[top]);
    }
    return this.sorted[position];
  }

  private before(a: number, b: number): boolean {
    const difference = this.hashes[a] - this.hashes[b];
    return difference < 0 || (difference === 0 && this.categories[a] < this.categories[b]);
  }

  private sift(start: number): void {
    const heap = this.heap;
    let index = start;
    for (;;) {
      const left = 2 * index + 1;
      const right = left + 1;
      let smallest = index;
      if (left < heap.length && this.before(heap[left], heap[smallest])) smallest = left;
      if (right < heap.length && this.before(heap[right], heap[smallest])) smallest = right;
      if (smallest === index) return;
      [heap[index], heap[smallest]] = [heap[smallest], heap[index]];
      index = smallest;
    }
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
    hash = multiply32(hash, 0x01000193);
  }
  return hash >>> 0;
}

// A module-level reference: under jest's sandbox every `Math.` lookup in a hot loop is a slow
// global access.
const multiply32 = Math.imul;
