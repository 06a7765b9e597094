import { expectedImpressions } from './config';
import { InvalidFeedError, UnknownSimulatedEntityError } from './errors';
import { LoggedRequest, Marketplace } from './marketplace';
import { FeedPolicy, FeedRequest, ShownItem } from './policy';
import { SeededRandom } from '../random';
import { SummaryAccumulator } from './summary';

const smallConfig = { seed: 3, users: 300, items: 300, days: 5 };

function run(marketplace: Marketplace, policy?: FeedPolicy): LoggedRequest[] {
  return [...marketplace.runLoggedFeed(policy)];
}

/** A policy that shows the cheapest launched items not yet shown in the session. */
const cheapestFirst: FeedPolicy = {
  name: 'cheapest-first',
  rank(request: FeedRequest): ShownItem[] {
    return request.items
      .filter(
        (item) =>
          request.candidates.isLaunched(item.index) && !request.alreadyShown.has(item.index),
      )
      .sort((left, right) => left.price - right.price || left.index - right.index)
      .slice(0, request.feedSize)
      .map((item, index) => ({ item, position: index + 1, channel: 'explore', propensity: 1 }));
  },
};

describe('ground truth', () => {
  const marketplace = new Marketplace(smallConfig);
  const user = marketplace.users[0];
  const item = marketplace.items.find(
    (candidate) => candidate.launchedAt.getTime() < Date.parse('2024-03-01'),
  )!;
  const time = new Date('2024-03-02T12:00:00Z');

  test('click probability falls with position as position^-0.7', () => {
    const atOne = marketplace.clickProbability(user.id, item.id, 1, time);
    const atFive = marketplace.clickProbability(user.id, item.id, 5, time);
    const atTen = marketplace.clickProbability(user.id, item.id, 10, time);

    expect(atOne).toBeGreaterThan(0);
    expect(atFive / atOne).toBeCloseTo(Math.pow(5, -0.7), 10);
    expect(atTen / atOne).toBeCloseTo(Math.pow(10, -0.7), 10);
  });

  test('an item has no click or purchase probability before its launch', () => {
    const launchedLate = marketplace.items.find(
      (candidate) => candidate.launchedAt.getTime() > Date.parse('2024-03-02'),
    )!;
    const before = launchedLate.launchedAt.getTime() - 1;
    const after = launchedLate.launchedAt.getTime() + 1;

    expect(marketplace.clickProbability(user.id, launchedLate.id, 1, before)).toBe(0);
    expect(marketplace.purchaseProbability(user.id, launchedLate.id, before)).toBe(0);
    expect(marketplace.clickProbability(user.id, launchedLate.id, 1, after)).toBeGreaterThan(0);
  });

  test('a user is likelier to click items of a favourite category than of a shunned one', () => {
    const preference = user.categoryPreference;
    const favourite = preference.indexOf(Math.max(...preference));
    const shunned = preference.indexOf(Math.min(...preference));
    const meanProbability = (category: number) => {
      const items = marketplace.items.filter(
        (candidate) => candidate.categoryIndex === category && candidate.launchedAt < time,
      );
      const total = items.reduce(
        (sum, candidate) => sum + marketplace.clickProbability(user.id, candidate.id, 1, time),
        0,
      );
      return total / items.length;
    };

    expect(meanProbability(favourite)).toBeGreaterThan(2 * meanProbability(shunned));
  });

  test('purchase after click is likelier for a discounted copy of the same item', () => {
    const index = item.index;
    const original = marketplace.catalogue.discount[index];
    const before = marketplace.groundTruth.purchaseProbability(user.index, index, time.getTime());
    marketplace.catalogue.discount[index] = original + 0.3;
    const discounted = marketplace.groundTruth.purchaseProbability(
      user.index,
      index,
      time.getTime(),
    );
    marketplace.catalogue.discount[index] = original;

    expect(discounted).toBeGreaterThan(before);
  });

  test('unknown ids are rejected by name', () => {
    expect(() => marketplace.clickProbability('nobody', item.id, 1, time)).toThrow(
      UnknownSimulatedEntityError,
    );
    expect(() => marketplace.purchaseProbability(user.id, 'i-missing', time)).toThrow(
      'no item with id i-missing',
    );
  });
});

describe('logged feed', () => {
  const marketplace = new Marketplace(smallConfig);
  const log = run(marketplace);

  test('the run produces the impressions implied by the drawn user activity', () => {
    const impressions = log.reduce((sum, logged) => sum + logged.feed.length, 0);
    const meanActivity =
      marketplace.users.reduce((sum, user) => sum + user.activity, 0) / marketplace.users.length;
    const expected = expectedImpressions(smallConfig) * meanActivity;

    expect(impressions).toBeGreaterThan(0.85 * expected);
    expect(impressions).toBeLessThan(1.15 * expected);
  });

  test('requests come in time order with full feeds at positions 1..k with propensities', () => {
    const problems: string[] = [];
    let previous = -Infinity;
    for (const { request, feed } of log) {
      if (request.timeMs < previous) problems.push(`${request.id} out of time order`);
      previous = request.timeMs;
      if (feed.map((shown) => shown.position).join() !== '1,2,3,4,5,6,7,8,9,10') {
        problems.push(`${request.id} positions ${feed.map((shown) => shown.position)}`);
      }
      for (const shown of feed) {
        if (!(shown.propensity > 0 && shown.propensity <= 1)) {
          problems.push(`${request.id} propensity ${shown.propensity}`);
        }
      }
    }

    expect(problems).toEqual([]);
  });

  test('no item is shown before its launch and items launched in the period do get shown', () => {
    const startMs = Date.parse(marketplace.config.start);
    const early: string[] = [];
    let newItemImpressions = 0;
    for (const { request, feed } of log) {
      for (const { item } of feed) {
        if (item.launchedAt.getTime() > request.timeMs) early.push(`${request.id} ${item.id}`);
        if (item.launchedAt.getTime() > startMs) newItemImpressions++;
      }
    }

    expect(early).toEqual([]);
    expect(newItemImpressions).toBeGreaterThan(0);
  });

  test('every channel contributes and the recent channel shows only new items', () => {
    const newItemMs = marketplace.config.newItemDays * 86_400_000;
    const channels = new Set<string>();
    const stale: string[] = [];
    for (const { request, feed } of log) {
      for (const shown of feed) {
        channels.add(shown.channel);
        const age = request.timeMs - shown.item.launchedAt.getTime();
        if (shown.channel === 'recent' && age >= newItemMs) {
          stale.push(`${request.id} ${shown.item.id}`);
        }
      }
    }

    expect(stale).toEqual([]);
    expect([...channels].sort()).toEqual(['exploit', 'explore', 'popularity', 'recent']);
  });

  test('a session never shows the same item twice', () => {
    const shownBySession = new Map<number, Set<string>>();
    const repeats: string[] = [];
    for (const { request, feed } of log) {
      const shown = shownBySession.get(request.sessionId) ?? new Set<string>();
      for (const { item } of feed) {
        if (shown.has(item.id)) repeats.push(`${request.id} ${item.id}`);
        shown.add(item.id);
      }
      shownBySession.set(request.sessionId, shown);
    }

    expect(repeats).toEqual([]);
  });

  test('users click their truly preferred categories far more often than others', () => {
    const counts = { preferred: [0, 0], other: [0, 0] };
    for (const { request, feed, outcomes } of log) {
      const preference = request.user.categoryPreference;
      const top = Array.from(preference.keys())
        .sort((left, right) => preference[right] - preference[left])
        .slice(0, 3);
      feed.forEach((shown, index) => {
        const bucket = top.includes(shown.item.categoryIndex) ? counts.preferred : counts.other;
        bucket[0]++;
        if (outcomes[index]) bucket[1]++;
      });
    }
    const preferredRate = counts.preferred[1] / counts.preferred[0];
    const otherRate = counts.other[1] / counts.other[0];

    expect(preferredRate / otherRate).toBeGreaterThan(2.5);
  });

  test('outcomes follow their impression: click, then cart, then purchase', () => {
    const disordered: string[] = [];
    for (const { request, outcomes } of log) {
      for (const outcome of outcomes) {
        if (!outcome) continue;
        const cartMs = outcome.cartMs ?? outcome.clickMs;
        const inOrder =
          outcome.clickMs > request.timeMs &&
          cartMs >= outcome.clickMs &&
          (outcome.purchaseMs === null || outcome.purchaseMs > cartMs);
        if (!inOrder) disordered.push(`${request.id} ${JSON.stringify(outcome)}`);
      }
    }

    expect(disordered).toEqual([]);
  });

  test('a second run repeats the first exactly', () => {
    const again = run(marketplace);
    const digest = (entries: LoggedRequest[]) =>
      entries.map(({ request, feed, outcomes }) =>
        [
          request.id,
          request.timeMs,
          feed.map((shown) => shown.item.id),
          outcomes.map(Boolean),
        ].join(),
      );

    expect(digest(again)).toEqual(digest(log));
  });

  test('another policy meets the same arrivals and its feed is what gets shown', () => {
    const ranked: string[][] = [];
    const recording: FeedPolicy = {
      name: cheapestFirst.name,
      rank(request) {
        const feed = cheapestFirst.rank(request);
        ranked.push(feed.map((shown) => shown.item.id));
        return feed;
      },
    };
    const other = run(marketplace, recording);

    expect(other.map((logged) => [logged.request.user.id, logged.request.timeMs])).toEqual(
      log.map((logged) => [logged.request.user.id, logged.request.timeMs]),
    );
    expect(other.map((logged) => logged.feed.map((shown) => shown.item.id))).toEqual(ranked);
    expect(ranked[0]).not.toEqual(log[0].feed.map((shown) => shown.item.id));
  });
});

test('a policy that shows an item before its launch is rejected with the request id', () => {
  const marketplace = new Marketplace({ ...smallConfig, days: 1 });
  const unlaunched = marketplace.items.reduce((latest, item) =>
    item.launchedAt > latest.launchedAt ? item : latest,
  );
  const early: FeedPolicy = {
    name: 'early',
    rank: () => [{ item: unlaunched, position: 1, channel: 'recent', propensity: 1 }],
  };

  expect(() => run(marketplace, early)).toThrow(InvalidFeedError);
  expect(() => run(marketplace, early)).toThrow(/feed policy early, request r0+1: .* not launched/);
});

test('each channel draws items with exactly the probabilities it reports', () => {
  const marketplace = new Marketplace(smallConfig);
  const channels = ['exploit', 'explore', 'popularity', 'recent'] as const;
  let checked: LoggedRequest | undefined;
  const totals: Record<string, number> = {};
  const largestGap: Record<string, number> = {};

  for (const logged of marketplace.runLoggedFeed()) {
    const { candidates, user } = logged.request;
    if (
      logged.request.timeMs < Date.parse('2024-03-03') ||
      !candidates.available('exploit', user.index)
    ) {
      continue;
    }
    checked = logged;
    const random = new SeededRandom(1);
    for (const channel of channels) {
      const probabilities = marketplace.items.map((item) =>
        candidates.probability(channel, user.index, item.index),
      );
      const counts = new Array(marketplace.items.length).fill(0);
      const drawCount = 20_000;
      for (let draw = 0; draw < drawCount; draw++)
        counts[candidates.draw(channel, user.index, random)]++;
      totals[channel] = probabilities.reduce((sum, probability) => sum + probability, 0);
      largestGap[channel] = Math.max(
        ...probabilities.map((probability, item) =>
          Math.abs(counts[item] / drawCount - probability),
        ),
      );
    }
    break;
  }

  expect(checked).toBeDefined();
  for (const channel of channels) {
    expect([channel, totals[channel]]).toEqual([channel, expect.closeTo(1, 9)]);
    expect(largestGap[channel]).toBeLessThan(0.01);
  }
});

test('the default marketplace gives 300k–500k impressions at CTR 3–8 % and CVR 5–15 %', () => {
  const marketplace = new Marketplace();
  const summary = new SummaryAccumulator(10, marketplace.users.length, marketplace.items.length);
  for (const logged of marketplace.runLoggedFeed()) summary.add(logged);
  const { impressions, ctr, cvr, activeUsers } = summary.summary();

  expect(impressions).toBeGreaterThan(300_000);
  expect(impressions).toBeLessThan(500_000);
  expect(ctr).toBeGreaterThan(0.03);
  expect(ctr).toBeLessThan(0.08);
  expect(cvr).toBeGreaterThan(0.05);
  expect(cvr).toBeLessThan(0.15);
  expect(activeUsers).toBeGreaterThan(0.9 * marketplace.users.length);
});
