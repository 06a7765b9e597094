import { Ranker } from '../artifact/ranker';
import { fillFeatureInputFromRequest, newFeatureInput } from '../invocation/feature-inputs';
import { InvocationRequest, InvocationResponse } from '../invocation/schema';
import { ScoredCandidate, blendFeed, objectiveScore } from './blend';

/**
 * Ranks one validated invocation: drops the user's purchased items, scores every candidate with
 * the artifact's heads through the shared vectorizer, applies the objective and blends the top
 * k. `now` (epoch seconds) is the ranking time when the request names none.
 */
export function rankRequest(
  ranker: Ranker,
  request: InvocationRequest,
  now: number,
): InvocationResponse {
  const time = request.time ?? now;
  const purchased = new Set(request.user.purchased_items);
  const input = newFeatureInput();
  const scored: ScoredCandidate[] = [];

  for (const candidate of request.candidates) {
    if (purchased.has(candidate.item_id)) continue;
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

  const items = blendFeed(scored, request.blend, request.k).map((item) => ({
    item_id: item.item_id,
    channel: item.channel,
    position: item.position,
    p_ctr: item.p_ctr,
    p_cvr: item.p_cvr,
    score: item.score,
  }));
  return {
    schema_version: '1',
    request_id: request.request_id ?? null,
    model_version: ranker.modelVersion,
    items,
  };
}
