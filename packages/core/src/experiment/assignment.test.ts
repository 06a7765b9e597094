import { ExperimentAssigner, InvalidExperimentError, hashBucket, resolveExperiment } from './index';
import { chiSquareSurvival } from './distributions';

describe('deterministic assignment', () => {
  test('buckets equal an independent SHA-256 implementation (Python hashlib)', () => {
    // int.from_bytes(sha256(b"ranker-v2:ranker-v2:" + user).digest()[:8], "big") % 10000
    const expected: Record<string, number> = {
      u00001: 6156,
      u00002: 9400,
      alice: 3554,
      bob: 4903,
      u12345: 3747,
    };
    for (const [user, bucket] of Object.entries(expected)) {
      expect(hashBucket('ranker-v2', 'ranker-v2', user)).toBe(bucket);
    }
  });

  test('proportions over 100k users stay within sampling error of the weights and holdout', () => {
    const assigner = new ExperimentAssigner({
      name: 'ranker-v2',
      variants: [
        { name: 'popularity', weight: 5 },
        { name: 'model', weight: 3 },
        { name: 'random', weight: 2 },
      ],
      holdout: { share: 0.1 },
    });
    const users = 100_000;
    const counts: Record<string, number> = {};
    for (let index = 0; index < users; index++) {
      const variant = assigner.assign(`user-${index}`).variant;
      counts[variant] = (counts[variant] ?? 0) + 1;
    }
    const expected = assigner.experiment.expectedShares;
    expect(expected).toEqual({ popularity: 0.45, model: 0.27, random: 0.18, holdout: 0.1 });
    let chiSquare = 0;
    for (const [variant, share] of Object.entries(expected)) {
      const mean = users * share;
      const sd = Math.sqrt(users * share * (1 - share));
      expect(Math.abs(counts[variant] - mean)).toBeLessThan(4 * sd);
      chiSquare += (counts[variant] - mean) ** 2 / mean;
    }
    expect(chiSquareSurvival(chiSquare, 3)).toBeGreaterThan(0.001);
  });

  test('the same user gets the same arm from every assigner; another salt reshuffles', () => {
    const definition = {
      name: 'ranker-v2',
      variants: [
        { name: 'a', weight: 1 },
        { name: 'b', weight: 1 },
      ],
    };
    const first = new ExperimentAssigner(definition);
    const second = new ExperimentAssigner(resolveExperiment({ ...definition }));
    const salted = new ExperimentAssigner({ ...definition, salt: 'rerun-2' });
    let moved = 0;
    for (let index = 0; index < 2000; index++) {
      const user = `u${index}`;
      expect(second.assign(user)).toEqual(first.assign(user));
      if (salted.assign(user).variant !== first.assign(user).variant) moved++;
    }
    // Independent hashes move about half of the users between two even arms.
    expect(moved).toBeGreaterThan(850);
    expect(moved).toBeLessThan(1150);
  });

  test('holdout users are logged as holdout and served by the control production variant', () => {
    const assigner = new ExperimentAssigner({
      name: 'exp',
      variants: [
        { name: 'control', weight: 1, targetVariant: 'Production' },
        { name: 'model', weight: 1 },
      ],
      holdout: { share: 0.5, salt: 'global-holdout' },
    });
    const held = Array.from({ length: 400 }, (_, index) => assigner.assign(`u${index}`)).filter(
      (assignment) => assignment.holdout,
    );
    expect(held.length).toBeGreaterThan(150);
    for (const assignment of held) {
      expect(assignment.variant).toBe('holdout');
      expect(assignment.targetVariant).toBe('Production');
    }
  });

  test.each([
    [
      {
        name: 'bad name',
        variants: [
          { name: 'a', weight: 1 },
          { name: 'b', weight: 1 },
        ],
      },
      'name',
    ],
    [{ name: 'e', variants: [{ name: 'a', weight: 1 }] }, 'variants'],
    [
      {
        name: 'e',
        variants: [
          { name: 'a', weight: 1 },
          { name: 'b', weight: 0 },
        ],
      },
      'variants[1].weight',
    ],
    [
      {
        name: 'e',
        variants: [
          { name: 'a', weight: 1 },
          { name: 'a', weight: 1 },
        ],
      },
      'variants[1].name',
    ],
    [
      {
        name: 'e',
        variants: [
          { name: 'a', weight: 1 },
          { name: 'b', weight: 1 },
        ],
        control: 'c',
      },
      'control',
    ],
    [
      {
        name: 'e',
        variants: [
          { name: 'a', weight: 1 },
          { name: 'b', weight: 1 },
        ],
        holdout: { share: 1 },
      },
      'holdout.share',
    ],
  ])('an invalid definition names its field (%#)', (definition, field) => {
    expect(() => resolveExperiment(definition)).toThrow(InvalidExperimentError);
    try {
      resolveExperiment(definition);
    } catch (error) {
      expect((error as InvalidExperimentError).field).toBe(field);
    }
  });
});
