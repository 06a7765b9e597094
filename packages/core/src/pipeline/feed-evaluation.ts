import { ndcgAtK } from '../metrics';
import { itemRateScores } from './baselines';
import { TrainedHead, calibrate } from './train-heads';
import { TrainingSet, selectPart } from './training-sets';

/** How well each scorer orders the logged feeds of the test days. */
export interface FeedRankingReport {
  /** NDCG@10 of the model's ranking score. */
  ndcg_at_10: number | null;
  /** What the model's ranking score is. */
  score: string;
  /** Graded relevance used. */
  relevance: string;
  /** Feeds (requests) evaluated, and those dropped because nothing in them was clicked. */
  lists: number;
  lists_without_positives: number;
  /** Feeds dropped because they logged a single item: there is no order to judge. */
  single_item_lists: number;
  /** NDCG@10 when ranking by pCTR alone and by each baseline. */
  ctr_only_ndcg_at_10: number | null;
  baselines: {
    popularity: { ndcg_at_10: number | null };
    item_rate: { ndcg_at_10: number | null };
  };
}

/**
 * Re-ranks every test feed (the items logged in one request; for reconstructed impressions a
 * click and its sampled negatives) by expected conversion pCTR × pCVR and by the baselines, and
 * scores each order with NDCG@10 (purchase 2, click 1, else 0). Feeds with no click or with a
 * single item are dropped.
 */
export function evaluateFeedRanking(
  ctr: TrainedHead,
  cvr: TrainedHead | null,
  cvrSet: TrainingSet | null,
): FeedRankingReport {
  const test = ctr.testSet;
  const purchaseProbability = cvr
    ? calibrate(cvr.calibration, cvr.model.predictProbabilities(test.features))
    : new Float64Array(test.labels.length).fill(1);
  const expectedConversion = ctr.testPredictions.map((p, row) => p * purchaseProbability[row]);
  const itemPurchaseRate = cvrSet
    ? itemRateScores(selectPart(cvrSet, 'train'), test)
    : new Float64Array(test.labels.length).fill(1);
  const itemRate = ctr.baselineTestPredictions.item_rate.map((p, row) => p * itemPurchaseRate[row]);

  const relevance = Array.from(test.labels, (label, row) => (test.purchased[row] ? 2 : label));
  const allFeeds = groupRows(test.requestIds);
  const feeds = allFeeds.filter((rows) => rows.length > 1);
  const ndcg = (scores: ArrayLike<number>) =>
    ndcgAtK(
      feeds.map((rows) => orderByScore(rows, scores, test).map((row) => relevance[row])),
      10,
    );

  const model = ndcg(expectedConversion);
  return {
    ndcg_at_10: finiteOrNull(model.value),
    score: cvr ? 'p_ctr * p_cvr (expected conversion)' : 'p_ctr',
    relevance: 'purchase 2, click 1, otherwise 0',
    lists: model.listsUsed,
    lists_without_positives: model.listsWithoutPositives,
    single_item_lists: allFeeds.length - feeds.length,
    ctr_only_ndcg_at_10: finiteOrNull(ndcg(ctr.testPredictions).value),
    baselines: {
      popularity: { ndcg_at_10: finiteOrNull(ndcg(ctr.baselineTestPredictions.popularity).value) },
      item_rate: { ndcg_at_10: finiteOrNull(ndcg(itemRate).value) },
    },
  };
}

function groupRows(keys: string[]): number[][] {
  const groups = new Map<string, number[]>();
  keys.forEach((key, row) => {
    const rows = groups.get(key);
    if (rows) rows.push(row);
    else groups.set(key, [row]);
  });
  return [...groups.values()];
}

/**
 * Rows by descending score. Ties are broken by a hash of the item id, not by log order: in a
 * reconstructed feed the click comes first, and keeping that order would flatter tied scores.
 */
function orderByScore(rows: number[], scores: ArrayLike<number>, set: TrainingSet): number[] {
  return [...rows].sort(
    (a, b) => scores[b] - scores[a] || tieBreak(set.itemIds[a]) - tieBreak(set.itemIds[b]),
  );
}

function tieBreak(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash = Math.imul(hash ^ text.charCodeAt(index), 0x01000193);
  }
  return hash >>> 0;
}

function finiteOrNull(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}
