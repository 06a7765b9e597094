import { DuckSession } from '../duckdb/database';
import { SeededRandom } from '../simulator/random';

/**
 * Logs such as Taobao's and REES46's record what users clicked but not what they were shown.
 * The click model needs negatives, so for every click we sample items the feed plausibly showed
 * at that moment: items of the clicked item's category and items the user met before (what an
 * exploit channel serves), items trending by recent clicks (popularity) and newly appeared
 * items (recent). Only items that had
 * appeared in the log before the click are eligible, so sampling sees no future either.
 */

/** Settings of impression reconstruction. */
export interface ReconstructionSettings {
  /** Sampled non-clicked impressions per click (default 4). */
  negativesPerClick: number;
  /**
   * Impressions the feed is assumed to show per click (default 20, a 5 % CTR). With it the
   * negatives kept are a known share of the real ones, and served probabilities are corrected.
   */
  impressionsPerClick: number;
  /** Seed of the sampling (default 17). */
  seed: number;
}

/**
 * Shares of sampled negatives by where they come from. Items from the user's own history stand
 * for the retargeting part of an exploit channel; without them a re-viewed item would be the
 * only seen-before item in its feed, and "seen before" alone would give the click away.
 */
const sourceShares = { sameCategory: 0.4, userHistory: 0.15, popular: 0.25, recent: 0.2 };
/** Size of the trending board and of the list of newest items sampled from. */
const boardSize = 100;
const recentSize = 200;
/** Clicks between recomputations of the trending board. */
const boardRefreshClicks = 500;
/** Half-life of the trending score, seconds. */
const trendingHalfLife = 24 * 3600;

/** What reconstruction produced. */
export interface ReconstructionSummary {
  examples: number;
  clicks: number;
  negativeKeepRate: number;
}

/** Builds `click_examples` from the clicks of `event_facts` and sampled negatives. */
export async function reconstructImpressions(
  session: DuckSession,
  settings: ReconstructionSettings,
): Promise<ReconstructionSummary> {
  const reader = await session.connection.runAndReadAll(`
    SELECT t, user_id, item_id, coalesce(category, '') AS category, type = 'click' AS is_click
    FROM event_facts ORDER BY t, user_id, item_id`);
  const columns = reader.getColumnsObjectJS() as unknown as {
    t: number[];
    user_id: string[];
    item_id: string[];
    category: string[];
    is_click: boolean[];
  };
  const rows = reader.currentRowCount;

  await session.run(`CREATE OR REPLACE TABLE click_examples (example_id BIGINT, t DOUBLE,
    user_id VARCHAR, item_id VARCHAR, position INTEGER, channel VARCHAR, request_id VARCHAR,
    label INTEGER, purchased INTEGER)`);
  const appender = await session.connection.createAppender('click_examples');
  const catalogue = new SeenCatalogue();
  const random = SeededRandom.stream(settings.seed, 'impression-reconstruction');
  let exampleId = 0;
  let clicks = 0;

  const append = (t: number, user: string, item: string, request: string, label: number) => {
    appender.appendBigInt(BigInt(exampleId++));
    appender.appendDouble(t);
    appender.appendVarchar(user);
    appender.appendVarchar(item);
    appender.appendNull();
    appender.appendNull();
    appender.appendVarchar(request);
    appender.appendInteger(label);
    appender.appendInteger(0);
    appender.endRow();
  };

  for (let start = 0; start < rows;) {
    let end = start;
    while (end < rows && columns.t[end] === columns.t[start]) end++;
    const t = columns.t[start];

    // Sample from what was known strictly before t, then learn this moment's events.
    catalogue.refreshBoardIfDue(t);
    for (let row = start; row < end; row++) {
      if (!columns.is_click[row]) continue;
      const request = `click-${clicks++}`;
      const user = columns.user_id[row];
      const excluded = clickedAt(columns, start, end, user);
      append(t, user, columns.item_id[row], request, 1);
      for (let n = 0; n < settings.negativesPerClick; n++) {
        const negative = catalogue.sample(random, user, columns.category[row], excluded);
        if (negative === undefined) continue;
        excluded.add(negative);
        append(t, user, negative, request, 0);
      }
    }
    for (let row = start; row < end; row++) {
      catalogue.observe(
        columns.user_id[row],
        columns.item_id[row],
        columns.category[row],
        t,
        columns.is_click[row],
      );
    }
    start = end;
  }
  appender.closeSync();

  return {
    examples: exampleId,
    clicks,
    negativeKeepRate: settings.negativesPerClick / Math.max(1, settings.impressionsPerClick - 1),
  };
}

function clickedAt(
  columns: { user_id: string[]; item_id: string[]; is_click: boolean[] },
  start: number,
  end: number,
  user: string,
): Set<string> {
  const items = new Set<string>();
  for (let row = start; row < end; row++) {
    if (columns.is_click[row] && columns.user_id[row] === user) items.add(columns.item_id[row]);
  }
  return items;
}

/** Items seen so far, by category, by user, by recency and by a decayed click score. */
class SeenCatalogue {
  private readonly ids: string[] = [];
  private readonly byUser = new Map<string, number[]>();
  private readonly indexById = new Map<string, number>();
  private readonly byCategory = new Map<string, number[]>();
  private readonly trendingScore: number[] = [];
  private readonly trendingUpdatedAt: number[] = [];
  private board: number[] = [];
  private clicksSinceRefresh = boardRefreshClicks;

  observe(user: string, item: string, category: string, t: number, isClick: boolean): void {
    let index = this.indexById.get(item);
    if (index === undefined) {
      index = this.ids.length;
      this.ids.push(item);
      this.indexById.set(item, index);
      this.trendingScore.push(0);
      this.trendingUpdatedAt.push(t);
      const members = this.byCategory.get(category) ?? [];
      members.push(index);
      this.byCategory.set(category, members);
    }
    const history = this.byUser.get(user);
    if (!history) this.byUser.set(user, [index]);
    else if (history[history.length - 1] !== index) history.push(index);
    if (isClick) {
      this.trendingScore[index] = this.decayedScore(index, t) + 1;
      this.trendingUpdatedAt[index] = t;
      this.clicksSinceRefresh++;
    }
  }

  refreshBoardIfDue(t: number): void {
    if (this.clicksSinceRefresh < boardRefreshClicks) return;
    const scored = this.ids.map((_, index) => [this.decayedScore(index, t), index] as const);
    scored.sort((a, b) => b[0] - a[0] || a[1] - b[1]);
    this.board = scored.slice(0, boardSize).map(([, index]) => index);
    this.clicksSinceRefresh = 0;
  }

  /**
   * A seen item from one of the sources, never one of `excluded`; undefined when a bounded
   * number of draws finds none (the catalogue is still nearly empty).
   */
  sample(
    random: SeededRandom,
    user: string,
    category: string,
    excluded: Set<string>,
  ): string | undefined {
    for (let attempt = 0; attempt < 20; attempt++) {
      const index = this.drawFromSource(random, user, category);
      if (index === undefined) continue;
      const item = this.ids[index];
      if (!excluded.has(item)) return item;
    }
    for (let attempt = 0; attempt < 100; attempt++) {
      const item = this.ids[random.int(this.ids.length)];
      if (!excluded.has(item)) return item;
    }
    return undefined;
  }

  private drawFromSource(random: SeededRandom, user: string, category: string): number | undefined {
    const pick = (members: number[] | undefined) =>
      members && members.length > 0 ? members[random.int(members.length)] : undefined;
    let draw = random.next();
    if (draw < sourceShares.sameCategory) return pick(this.byCategory.get(category));
    draw -= sourceShares.sameCategory;
    if (draw < sourceShares.userHistory) return pick(this.byUser.get(user));
    draw -= sourceShares.userHistory;
    if (draw < sourceShares.popular) {
      return this.board.length > 0 ? this.board[random.int(this.board.length)] : undefined;
    }
    const newest = Math.min(this.ids.length, recentSize);
    return newest > 0 ? this.ids.length - newest + random.int(newest) : undefined;
  }

  private decayedScore(index: number, t: number): number {
    const age = t - this.trendingUpdatedAt[index];
    return this.trendingScore[index] * Math.pow(2, -age / trendingHalfLife);
  }
}
