import { BlendSettings, ChannelName } from '../invocation/schema';
import { ScoredCandidate, blendFeed, objectiveScore } from './blend';

const noRules: BlendSettings = {
  price_weight: 0,
  channel_quotas: {},
  category_cap: null,
  explore_positions: [],
};

function candidate(
  id: string,
  channel: ChannelName,
  category: string,
  score: number,
): ScoredCandidate {
  return { item_id: id, channel, category, p_ctr: score, p_cvr: 1, score };
}

const pool = [
  candidate('a', 'exploit', 'shoes', 0.9),
  candidate('b', 'exploit', 'shoes', 0.8),
  candidate('c', 'exploit', 'shoes', 0.7),
  candidate('d', 'popularity', 'bags', 0.6),
  candidate('e', 'recent', 'hats', 0.5),
  candidate('f', 'explore', 'toys', 0.2),
  candidate('g', 'explore', 'books', 0.1),
];

const ids = (feed: { item_id: string }[]) => feed.map((item) => item.item_id);

test('without rules the feed is the top k by score, positions 1..k', () => {
  const feed = blendFeed(pool, noRules, 4);
  expect(ids(feed)).toEqual(['a', 'b', 'c', 'd']);
  expect(feed.map((item) => item.position)).toEqual([1, 2, 3, 4]);
});

test('a category cap keeps at most that many items of one category in the top k', () => {
  expect(ids(blendFeed(pool, { ...noRules, category_cap: 2 }, 4))).toEqual(['a', 'b', 'd', 'e']);
});

test('a channel minimum share is met even when its items score lowest', () => {
  const settings = { ...noRules, channel_quotas: { explore: { min: 0.5, max: 1 } } };
  expect(ids(blendFeed(pool, settings, 4))).toEqual(['a', 'b', 'f', 'g']);
});

test('a channel maximum share caps that channel', () => {
  const settings = { ...noRules, channel_quotas: { exploit: { min: 0, max: 0.25 } } };
  expect(ids(blendFeed(pool, settings, 4))).toEqual(['a', 'd', 'e', 'f']);
});

test('reserved explore positions hold the best explore items', () => {
  const feed = blendFeed(pool, { ...noRules, explore_positions: [2, 4] }, 5);
  expect(ids(feed)).toEqual(['a', 'f', 'b', 'g', 'c']);
});

test('rules are relaxed, category cap first, rather than leaving the feed short', () => {
  const onlyShoes = pool.slice(0, 3);
  const settings = {
    ...noRules,
    category_cap: 1,
    channel_quotas: { exploit: { min: 0, max: 0.4 } },
  };
  expect(ids(blendFeed(onlyShoes, settings, 3))).toEqual(['a', 'b', 'c']);
});

test('an item offered twice is placed once and k larger than the pool returns the pool', () => {
  const feed = blendFeed([...pool, candidate('a', 'recent', 'shoes', 0.95)], noRules, 50);
  expect(ids(feed)).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g']);
  expect(feed[0].channel).toBe('recent');
});

test('the objective is expected conversion, optionally weighted by price', () => {
  expect(objectiveScore(0.1, 0.2, 50, 0)).toBeCloseTo(0.02, 15);
  expect(objectiveScore(0.1, 0.2, 50, 1)).toBeCloseTo(1, 12);
  expect(objectiveScore(0.1, 0.2, null, 1)).toBeCloseTo(0.02, 15);
});
