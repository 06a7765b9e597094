import { Ranker } from '../artifact/ranker';
import { fillFeatureInputFromRequest, newFeatureInput } from '../invocation/feature-inputs';
import { InvocationRequest, InvocationResponse } from '../invocation/schema';
import { ScoredCandidate, blendFeed, objectiveScore } from './blend';

/**
 * Ranks one validated invocation: drops the user's purchased items, vectorizes every remaining
 * candidate into one batch, scores the batch with the artifact's heads in one pass each, applies
 * the objective and blends the top k. `now` (epoch seconds) is the ranking time when the request
 * names none.
 */
export function rankRequest(
  ranker: Ranker,
  request: InvocationRequest,
  now: number,
): InvocationResponse {
  const time = request.time ?? now;
  const purchased = new Set(request.user.purchased_items);
  const candidates = request.candidates.filter((candidate) => !purchased.has(candidate.item_id));

  // One row per candidate, then one pass of each head over all of them.
  const input = newFeatureInput();
  const values = new Float32Array(candidates.length * ranker.featureCount);
  candidates.forEach((candidate, row) => {
    ranker.vectorizeInto(fillFeatureInputFromRequest(input, request, candidate, time), values, row);
  });
  const scores = ranker.scoreRows(values, candidates.length);

  const scored: ScoredCandidate[] = candidates.map((candidate, row) => ({
    item_id: candidate.item_id,
    channel: candidate.channel,
    category: candidate.category,
    p_ctr: scores.pCtr[row],
    p_cvr: scores.pCvr[row],
    score: objectiveScore(
      scores.pCtr[row],
      scores.pCvr[row],
      candidate.price,
      request.blend.price_weight,
    ),
  }));

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
