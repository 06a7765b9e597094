import { LoadedArtifact } from '../artifact/load-artifact';
import { checkPriorDrift, outcomeKey, trainingPrior } from './prior-drift';

/** The manifest fields prior drift reads: test metrics, sampling and whether pCVR exists. */
const artifact = {
  manifest: {
    metrics: {
      ctr: { validation: { positives: 30, rows: 1000 }, test: { positives: 20, rows: 1000 } },
      cvr: { validation: { positives: 10, rows: 100 }, test: { positives: 10, rows: 100 } },
    },
    sampling: { reconstructed_impressions: false, negative_keep_rate: 1 },
  },
  cvr: {},
} as unknown as LoadedArtifact;

function invocation(request: number, items: [string, number, number][]) {
  return {
    requestText: JSON.stringify({ request_id: `r${request}` }),
    responseText: JSON.stringify({
      items: items.map(([item_id, p_ctr, p_cvr]) => ({ item_id, p_ctr, p_cvr })),
    }),
    inferenceId: null,
  };
}

describe('trainingPrior', () => {
  test('is the label rate of the validation and test days, pCTR corrected for sampling', () => {
    expect(trainingPrior(artifact, 'ctr')).toBeCloseTo(50 / 2000, 15);
    expect(trainingPrior(artifact, 'cvr')).toBeCloseTo(20 / 200, 15);

    const sampled = {
      ...artifact,
      manifest: { ...artifact.manifest, sampling: { negative_keep_rate: 0.1 } },
    } as unknown as LoadedArtifact;
    // q = p / (p + (1 − p) / w) with p = 0.025 and w = 0.1.
    expect(trainingPrior(sampled, 'ctr')).toBeCloseTo(0.025 / (0.025 + 0.975 / 0.1), 15);
  });
});

describe('checkPriorDrift', () => {
  const invocations = [
    invocation(1, [
      ['a', 0.1, 0.2],
      ['b', 0.3, 0.4],
    ]),
    invocation(2, [
      ['a', 0.2, 0.3],
      ['c', 0.2, 0.1],
    ]),
    { requestText: null, responseText: 'not json', inferenceId: null },
  ];

  test('reports the served means against the training prior without judging them', () => {
    const report = checkPriorDrift(artifact, invocations, null, {
      relativeShift: 0.3,
      minimumItems: 1,
    });

    const ctr = report.heads[0];
    expect(report).toMatchObject({ responses: 2, unreadable_responses: 1, drifted_heads: [] });
    expect(ctr.mean_predicted).toBeCloseTo(0.2, 15);
    expect(ctr.relative_shift).toBeCloseTo(0.2 / 0.025 - 1, 12);
    expect(ctr).toMatchObject({ items: 4, observed_items: 0, judged: false, drifted: false });
  });

  test('judges predicted against observed rates of the served items with known outcomes', () => {
    const outcomes = {
      requests: new Set(['r1', 'r2']),
      clicks: new Set([outcomeKey('r1', 'b'), outcomeKey('r2', 'a')]),
      purchases: new Set([outcomeKey('r1', 'b')]),
    };

    const report = checkPriorDrift(artifact, invocations, outcomes, {
      relativeShift: 0.3,
      minimumItems: 2,
    });

    const [ctr, cvr] = report.heads;
    // pCTR: 2 clicks of 4 items (0.5) against a mean prediction of 0.2: 60 % too low.
    expect(ctr.observed_rate).toBe(0.5);
    expect(ctr.predicted_rate_of_observed).toBeCloseTo(0.2, 15);
    expect(ctr.observed_shift).toBeCloseTo(-0.6, 12);
    expect(ctr).toMatchObject({ observed_items: 4, judged: true, drifted: true });
    // pCVR: 1 purchase of the 2 clicked items (0.5) against (0.4 + 0.3) / 2 = 0.35.
    expect(cvr.observed_shift).toBeCloseTo(0.35 / 0.5 - 1, 12);
    expect(cvr).toMatchObject({ observed_items: 2, judged: true, drifted: true });
    expect(report.drifted_heads).toEqual(['ctr', 'cvr']);
  });

  test('items of requests without known outcomes are not counted as unclicked', () => {
    const outcomes = {
      requests: new Set(['r1']),
      clicks: new Set<string>(),
      purchases: new Set<string>(),
    };

    const report = checkPriorDrift(artifact, invocations, outcomes, {
      relativeShift: 0.3,
      minimumItems: 10,
    });

    expect(report.heads[0]).toMatchObject({ observed_items: 2, observed_rate: 0, judged: false });
  });
});
