import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { loadArtifact } from '../artifact/load-artifact';
import { Ranker } from '../artifact/ranker';
import { fillFeatureInputFromRequest, newFeatureInput } from '../invocation/feature-inputs';
import { parseInvocationRequest } from '../invocation/parse';
import { InvocationRequest, InvocationRequestInput } from '../invocation/schema';
import { trainRanker } from '../pipeline/train-ranker';
import { prepareTrainingSets } from '../pipeline/training-sets';
import { simulateMarketplace } from '../simulator';
import { ScoredCandidate, blendFeed, objectiveScore } from './blend';
import { rankRequest } from './rank-request';

const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gfr-rank-request-'));
let ranker: Ranker;

beforeAll(async () => {
  const tablesDir = path.join(outDir, 'tables');
  await simulateMarketplace({ users: 300, items: 300, days: 6, seed: 12 }, tablesDir);
  const trained = await trainRanker(await prepareTrainingSets(tablesDir), outDir, {
    parameters: { rounds: 20 },
  });
  ranker = new Ranker(await loadArtifact(trained.artifact.directory));
}, 120_000);

afterAll(() => fs.rmSync(outDir, { recursive: true, force: true }));

/** A request of `count` candidates with varied histories, prices and missing attributes. */
function requestOf(count: number, priceWeight: number): InvocationRequest {
  const now = 1_700_000_000;
  const categories = ['shoes', 'books', 'toys', 'garden'];
  const input: InvocationRequestInput = {
    schema_version: '1',
    request_id: 'r-1',
    time: now,
    k: 50,
    user: {
      user_id: 'u-1',
      geo: 'de',
      aggregates: {
        impressions: 400,
        clicks: { count: 30, decayed: 12.5, updated_at: now - 3_600 },
        last_click_at: now - 3_600,
        purchases: 3,
        clicked_log_price_sum: 90,
        clicked_log_price_square_sum: 300,
        clicked_price_count: 28,
        clicked_rating_sum: 110,
        clicked_rating_count: 25,
        clicked_discount_sum: 4,
        clicked_discount_count: 20,
      },
      categories: {
        shoes: { clicks: { count: 9, decayed: 4, updated_at: now - 7_200 }, purchases: 1 },
      },
      items: { 'i-7': { clicks: { count: 2, decayed: 1.5, updated_at: now - 60 }, purchases: 0 } },
      purchased_items: ['i-3', 'i-11'],
    },
    global: { impressions: 1_000_000, clicks: 40_000, purchases: 2_000 },
    blend: { price_weight: priceWeight, category_cap: 20, explore_positions: [3, 9] },
    candidates: Array.from({ length: count }, (_, i) => ({
      item_id: `i-${i}`,
      channel: (['exploit', 'explore', 'popularity', 'recent'] as const)[i % 4],
      category: i % 7 === 0 ? null : categories[i % 4],
      brand: i % 5 === 0 ? null : `b-${i % 9}`,
      price: i % 6 === 0 ? null : 5 + ((i * 37) % 200),
      rating: i % 4 === 0 ? null : 1 + (i % 5),
      discount: i % 3 === 0 ? null : (i % 10) / 20,
      created_at: now - i * 86_400,
      aggregates:
        i % 2 === 0
          ? undefined
          : {
              impressions: 50 + i * 3,
              clicks: { count: i % 13, decayed: (i % 13) / 2, updated_at: now - i * 600 },
              purchases: i % 3,
              first_seen_at: now - i * 3_600,
            },
    })),
  };
  return parseInvocationRequest(input);
}

/** rankRequest as it was before batch scoring: one scoreInput call per candidate. */
function rankOneByOne(request: InvocationRequest) {
  const purchased = new Set(request.user.purchased_items);
  const input = newFeatureInput();
  const scored: ScoredCandidate[] = [];
  for (const candidate of request.candidates) {
    if (purchased.has(candidate.item_id)) continue;
    const time = request.time as number;
    const score = ranker.scoreInput(fillFeatureInputFromRequest(input, request, candidate, time));
    scored.push({
      item_id: candidate.item_id,
      channel: candidate.channel,
      category: candidate.category,
      p_ctr: score.pCtr,
      p_cvr: score.pCvr,
      score: objectiveScore(score.pCtr, score.pCvr, candidate.price, request.blend.price_weight),
    });
  }
  return blendFeed(scored, request.blend, request.k).map((item) => ({
    item_id: item.item_id,
    channel: item.channel,
    position: item.position,
    p_ctr: item.p_ctr,
    p_cvr: item.p_cvr,
    score: item.score,
  }));
}

test.each([
  [500, 0],
  [37, 1],
])(
  'a request of %i candidates (price weight %d) is ranked exactly as one by one',
  (count, priceWeight) => {
    const request = requestOf(count, priceWeight);
    const response = rankRequest(ranker, request, 0);
    expect(response.items).toHaveLength(Math.min(50, count - 2));
    expect(response.items).toEqual(rankOneByOne(request));
    expect(response.items.map((item) => item.item_id)).not.toContain('i-3');
    expect(new Set(response.items.map((item) => item.p_ctr)).size).toBeGreaterThan(5);
    expect(response.model_version).toBe(ranker.modelVersion);
  },
);

test('a request whose every candidate was bought returns an empty feed', () => {
  const request = requestOf(12, 0);
  request.user.purchased_items = request.candidates.map((candidate) => candidate.item_id);
  expect(rankRequest(ranker, request, 0).items).toEqual([]);
});
