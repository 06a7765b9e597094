import { DuckSession } from '../duckdb/database';
import { SeededRandom } from '../random';

/**
 * Logs such as Taobao's and REES46's record what users clicked but not what they were shown.
 * The click model needs negatives, so for every click we sample items the feed plausibly showed
 * at that moment, from the sources a feed draws on:
 *
 * - the clicked item's category and the user's own earlier items (an exploit channel);
 * - items trending by clicks before the moment (a popularity channel);
 * - items that first appeared shortly before (a recent channel);
 * - any item of the catalogue, uniformly (the long tail an explore channel shows).
 *
 * The catalogue is the items table, including items nobody interacted with until later: a feed
 * can show an item before its first click. Leaving those out would make "never clicked before"
 * a sure sign of the positive, because clicked items are often first sightings. Sampling uses
 * no interaction at or after the click, so it leaks no future behaviour into the examples.
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

/** Shares of sampled negatives by source; they sum to 1. */
const sourceShares = {
  sameCategory: 0.35,
  userHistory: 0.15,
  popular: 0.2,
  recent: 0.1,
  catalogue: 0.2,
};
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

type EventColumns = {
  t: number[];
  user_id: string[];
  item_id: string[];
  is_click: boolean[];
};

/** Builds `click_examples` from the clicks of `event_facts` and sampled negatives. */
export async function reconstructImpressions(
  session: DuckSession,
  settings: ReconstructionSettings,
): Promise<ReconstructionSummary> {
  const catalogue = await FeedCatalogue.load(session);
  const reader = await session.connection.runAndReadAll(`
    SELECT t, user_id, item_id, type = 'click' AS is_click
    FROM event_facts ORDER BY t, user_id, item_id`);
  const columns = reader.getColumnsObjectJS() as unknown as EventColumns;
  const rows = reader.currentRowCount;

  await session.run(`CREATE OR REPLACE TABLE click_examples (example_id BIGINT, t DOUBLE,
    user_id VARCHAR, item_id VARCHAR, position INTEGER, channel VARCHAR, request_id VARCHAR,
    label INTEGER, purchased INTEGER)`);
  const appender = await session.connection.createAppender('click_examples');
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
      const item = columns.item_id[row];
      const excluded = clickedAt(columns, start, end, user);
      append(t, user, item, request, 1);
      for (let n = 0; n < settings.negativesPerClick; n++) {
        const negative = catalogue.sample(random, user, item, excluded);
        if (negative === undefined) continue;
        excluded.add(negative);
        append(t, user, negative, request, 0);
      }
    }
    for (let row = start; row < end; row++) {
      catalogue.observe(columns.user_id[row], columns.item_id[row], t, columns.is_click[row]);
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

function clickedAt(columns: EventColumns, start: number, end: number, user: string): Set<string> {
  const items = new Set<string>();
  for (let row = start; row < end; row++) {
    if (columns.is_click[row] && columns.user_id[row] === user) items.add(columns.item_id[row]);
  }
  return items;
}

/** The catalogue with what the log has shown of it so far: sightings, users' items, clicks. */
class FeedCatalogue {
  private readonly indexById = new Map<string, number>();
  private readonly byCategory = new Map<string, number[]>();
  private readonly categoryOf: string[] = [];
  private readonly byUser = new Map<string, number[]>();
  /** Item indexes in the order of their first event, and the set of them. */
  private readonly firstSeen: number[] = [];
  private readonly seen = new Set<number>();
  private readonly trendingScore: Float64Array;
  private readonly trendingUpdatedAt: Float64Array;
  private board: number[] = [];
  private clicksSinceRefresh = boardRefreshClicks;

  private constructor(
    private readonly ids: string[],
    categories: string[],
  ) {
    ids.forEach((id, index) => {
      this.indexById.set(id, index);
      this.categoryOf.push(categories[index]);
      const members = this.byCategory.get(categories[index]);
      if (members) members.push(index);
      else this.byCategory.set(categories[index], [index]);
    });
    this.trendingScore = new Float64Array(ids.length);
    this.trendingUpdatedAt = new Float64Array(ids.length);
  }

  /** The items table, in id order so that sampling is reproducible. */
  static async load(session: DuckSession): Promise<FeedCatalogue> {
    const reader = await session.connection.runAndReadAll(
      "SELECT item_id, coalesce(category, '') AS category FROM items ORDER BY item_id",
    );
    const columns = reader.getColumnsObjectJS() as unknown as {
      item_id: string[];
      category: string[];
    };
    return new FeedCatalogue(columns.item_id, columns.category);
  }

  observe(user: string, item: string, t: number, isClick: boolean): void {
    const index = this.indexById.get(item);
    if (index === undefined) return;
    if (!this.seen.has(index)) {
      this.seen.add(index);
      this.firstSeen.push(index);
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
    const scored = [...this.seen].map((index) => [this.decayedScore(index, t), index] as const);
    scored.sort((a, b) => b[0] - a[0] || a[1] - b[1]);
    this.board = scored.slice(0, boardSize).map(([, index]) => index);
    this.clicksSinceRefresh = 0;
  }

  /**
   * An item from one of the sources, never the clicked one nor one of `excluded`; undefined
   * when a bounded number of draws finds none (a catalogue of one or two items).
   */
  sample(
    random: SeededRandom,
    user: string,
    clicked: string,
    excluded: Set<string>,
  ): string | undefined {
    const category = this.categoryOf[this.indexById.get(clicked) ?? -1] ?? '';
    for (let attempt = 0; attempt < 50; attempt++) {
      const index = this.drawFromSource(random, user, category);
      if (index === undefined) continue;
      const item = this.ids[index];
      if (item !== clicked && !excluded.has(item)) return item;
    }
    return undefined;
  }

  private drawFromSource(random: SeededRandom, user: string, category: string): number | undefined {
    const pick = (members: readonly number[] | undefined) =>
      members && members.length > 0 ? members[random.int(members.length)] : undefined;
    let draw = random.next();
    if ((draw -= sourceShares.sameCategory) < 0) return pick(this.byCategory.get(category));
    if ((draw -= sourceShares.userHistory) < 0) return pick(this.byUser.get(user));
    if ((draw -= sourceShares.popular) < 0) return pick(this.board);
    if ((draw -= sourceShares.recent) < 0) {
      const newest = Math.min(this.firstSeen.length, recentSize);
      return newest > 0
        ? this.firstSeen[this.firstSeen.length - newest + random.int(newest)]
        : undefined;
    }
    return this.ids.length > 0 ? random.int(this.ids.length) : undefined;
  }

  private decayedScore(index: number, t: number): number {
    const age = t - this.trendingUpdatedAt[index];
    return this.trendingScore[index] * Math.pow(2, -age / trendingHalfLife);
  }
}
