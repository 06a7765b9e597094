import {
  InvocationRequest,
  InvocationResponse,
  Ranker,
  loadArtifact,
  parseInvocationRequest,
  rankRequest,
} from '@gfr/core';

import { ModelNotReadyError } from './errors';

/**
 * What the server ranks with: a loaded artifact behind one method. The server depends on this
 * interface rather than on `Ranker`, so tests can stand in a slow or failing model.
 */
export interface RankingModel {
  /** The artifact's model version, returned with every response. */
  readonly modelVersion: string;
  /** The heads the artifact holds, loaded: always `ctr`, and `cvr` when it was trained. */
  readonly heads: readonly ('ctr' | 'cvr')[];
  /** Ranks one validated request at `nowSeconds` (epoch seconds) unless it names a time. */
  rank(request: InvocationRequest, nowSeconds: number): InvocationResponse;
}

/**
 * Loads the artifact in `modelDir` (a directory such as /opt/ml/model, or a model.tar.gz) and
 * wraps it as a {@link RankingModel} that scores with `rankRequest`. Throws the artifact's
 * `ArtifactInvalidError` when it is missing or malformed.
 */
export async function loadRankingModel(modelDir: string): Promise<RankingModel> {
  const artifact = await loadArtifact(modelDir);
  if (artifact.manifest.heads.cvr && !artifact.cvr) {
    throw new ModelNotReadyError(`the manifest in ${modelDir} names a pCVR head that did not load`);
  }
  const ranker = new Ranker(artifact);
  // The compiled trees run slowly until V8 has optimised them; pay that before traffic does.
  ranker.warmUp();
  return {
    modelVersion: ranker.modelVersion,
    heads: artifact.cvr ? ['ctr', 'cvr'] : ['ctr'],
    rank: (request, nowSeconds) => rankRequest(ranker, request, nowSeconds),
  };
}

/**
 * Ranks a fixed two-candidate request (one with history, one cold) and checks that both come
 * back with probabilities in [0, 1] and a finite score. The server reports ready only after
 * this passes: a model that loads but cannot score must never receive traffic. Throws
 * {@link ModelNotReadyError} saying what was wrong.
 */
export function warmUp(model: RankingModel, nowSeconds: number): void {
  const response = model.rank(warmUpRequest(nowSeconds), nowSeconds);
  if (response.items.length !== 2) {
    throw new ModelNotReadyError(
      `warm-up ranked ${response.items.length} of its 2 candidates, expected both`,
    );
  }
  for (const item of response.items) {
    for (const [name, value] of [
      ['p_ctr', item.p_ctr],
      ['p_cvr', item.p_cvr],
    ] as const) {
      if (!(value >= 0 && value <= 1)) {
        throw new ModelNotReadyError(`warm-up gave ${name} ${value} for ${item.item_id}`);
      }
    }
    if (!Number.isFinite(item.score)) {
      throw new ModelNotReadyError(`warm-up gave score ${item.score} for ${item.item_id}`);
    }
  }
}

function warmUpRequest(now: number): InvocationRequest {
  const hourAgo = now - 3600;
  return parseInvocationRequest({
    schema_version: '1',
    request_id: 'warm-up',
    k: 2,
    user: {
      user_id: 'warm-up-user',
      aggregates: {
        impressions: 40,
        clicks: { count: 4, decayed: 2, updated_at: hourAgo },
        last_click_at: hourAgo,
        purchases: 1,
        clicked_log_price_sum: 12,
        clicked_log_price_square_sum: 40,
        clicked_price_count: 4,
        clicked_rating_sum: 16,
        clicked_rating_count: 4,
        clicked_discount_sum: 0.4,
        clicked_discount_count: 4,
      },
      categories: {
        'warm-up-category': { clicks: { count: 2, decayed: 1, updated_at: hourAgo }, purchases: 0 },
      },
    },
    global: { impressions: 10_000, clicks: 400, purchases: 20 },
    candidates: [
      {
        item_id: 'warm-up-seen',
        channel: 'exploit',
        category: 'warm-up-category',
        price: 25,
        rating: 4.5,
        discount: 0.1,
        created_at: now - 86_400 * 30,
        aggregates: {
          impressions: 500,
          clicks: { count: 25, decayed: 10, updated_at: hourAgo },
          purchases: 2,
          first_seen_at: now - 86_400 * 30,
        },
      },
      { item_id: 'warm-up-cold', channel: 'explore' },
    ],
  });
}
