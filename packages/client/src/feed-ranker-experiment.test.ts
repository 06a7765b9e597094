import { experiment } from '@gfr/core';

import {
  CandidateReference,
  GlobalFeatures,
  ItemFeatures,
  OnlineFeatureStore,
  UserFeatures,
  coldStartItem,
  coldStartUser,
  emptyGlobalFeatures,
} from './feature-store/types';
import { FeedRanker } from './feed-ranker';
import { EndpointTransport, InvokeOptions, TransportResponse } from './transport/transport';

/** A store of cold-start users with three candidates each. */
class FixedStore implements OnlineFeatureStore {
  async getUser(userId: string): Promise<UserFeatures> {
    return coldStartUser(userId);
  }
  async getItems(itemIds: readonly string[]): Promise<Map<string, ItemFeatures>> {
    return new Map(itemIds.map((id) => [id, coldStartItem(id)]));
  }
  async getGlobal(): Promise<GlobalFeatures> {
    return emptyGlobalFeatures();
  }
  async getCandidates(): Promise<CandidateReference[]> {
    return ['i1', 'i2', 'i3'].map((item_id) => ({ item_id, channel: 'popularity' as const }));
  }
  async close(): Promise<void> {}
}

/** Ranks the candidates in the order sent and remembers the options of every call. */
class EchoTransport implements EndpointTransport {
  readonly options: InvokeOptions[] = [];

  async invoke(body: unknown, options: InvokeOptions = {}): Promise<TransportResponse> {
    this.options.push(options);
    const request = body as { candidates: CandidateReference[]; request_id?: string; k: number };
    return {
      body: {
        schema_version: '1',
        model_version: 'v1',
        request_id: request.request_id ?? null,
        items: request.candidates.slice(0, request.k).map((candidate, index) => ({
          item_id: candidate.item_id,
          channel: candidate.channel,
          position: index + 1,
          p_ctr: 0.1,
          p_cvr: 0.1,
          score: 0.01,
        })),
      },
      variant: options.variant,
    };
  }
}

const definition: experiment.ExperimentDefinition = {
  name: 'ranker-v2',
  variants: [
    { name: 'control', weight: 1, targetVariant: 'Production' },
    { name: 'model', weight: 1, targetVariant: 'Challenger' },
  ],
};

function rankerWith(transport: EchoTransport, exposures: experiment.ExposureRecord[]) {
  return new FeedRanker({
    store: new FixedStore(),
    transport,
    experiment: {
      assigner: new experiment.ExperimentAssigner(definition),
      exposures: { writeExposure: (record) => void exposures.push(record) },
    },
    clock: () => Date.UTC(2024, 2, 1, 12),
  });
}

describe('FeedRanker in an experiment', () => {
  test('sends the assigned arm as TargetVariant and records the exposure it served', async () => {
    const transport = new EchoTransport();
    const exposures: experiment.ExposureRecord[] = [];
    const ranker = rankerWith(transport, exposures);
    const assigner = new experiment.ExperimentAssigner(definition);

    for (const userId of ['u1', 'u2', 'u3', 'u4', 'u5', 'u6']) {
      const feed = await ranker.rank({ userId, k: 2, context: { requestId: `r-${userId}` } });
      const expected = assigner.assign(userId);
      expect(feed.assignment).toEqual(expected);
      expect(feed.variant).toBe(expected.targetVariant);
    }
    expect(transport.options.map((options) => options.variant)).toEqual(
      ['u1', 'u2', 'u3', 'u4', 'u5', 'u6'].map((userId) => assigner.assign(userId).targetVariant),
    );
    expect(new Set(transport.options.map((options) => options.variant)).size).toBe(2);
    expect(exposures[0]).toEqual({
      type: 'exposure',
      experiment: 'ranker-v2',
      user_id: 'u1',
      variant: assigner.assign('u1').variant,
      request_id: 'r-u1',
      time: '2024-03-01T12:00:00.000Z',
      items: [
        { item_id: 'i1', position: 1 },
        { item_id: 'i2', position: 2 },
      ],
    });
    expect(exposures).toHaveLength(6);
  });

  test('a call naming its variant is outside the experiment: no assignment, no exposure', async () => {
    const transport = new EchoTransport();
    const exposures: experiment.ExposureRecord[] = [];
    const feed = await rankerWith(transport, exposures).rank({ userId: 'u1', variant: 'Shadow' });
    expect(feed.assignment).toBeNull();
    expect(transport.options[0].variant).toBe('Shadow');
    expect(exposures).toHaveLength(0);
  });

  test('explicit candidates are ranked instead of the store channels', async () => {
    const transport = new EchoTransport();
    const feed = await rankerWith(transport, []).rank({
      userId: 'u1',
      candidates: [{ item_id: 'x9', channel: 'explore' }],
    });
    expect(feed.items.map((item) => item.item_id)).toEqual(['x9']);
  });

  test('a failing exposure recorder does not fail the feed', async () => {
    const ranker = new FeedRanker({
      store: new FixedStore(),
      transport: new EchoTransport(),
      experiment: {
        assigner: new experiment.ExperimentAssigner(definition),
        exposures: {
          writeExposure: () => {
            throw new Error('disk full');
          },
        },
      },
    });
    const feed = await ranker.rank({ userId: 'u1', k: 3 });
    expect(feed.items).toHaveLength(3);
  });
});
