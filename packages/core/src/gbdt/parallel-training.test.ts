import { syntheticBinarySet } from './synthetic-data';
import { trainGbdt } from './trainer';

/**
 * Trains the same model with 1 and 2 threads on 200k rows × 30 features. The models must be
 * bit-identical; the wall-clock times are printed (not asserted: the machine is shared).
 */
describe('trainGbdt with worker threads', () => {
  const train = syntheticBinarySet(200_000, 30, 21);
  const validation = syntheticBinarySet(20_000, 30, 22);
  const parameters = { rounds: 6, maxDepth: 6, rowSubsample: 0.8, columnSubsample: 0.8 };

  it('gives the bit-identical model with 1 and 2 threads, and reports both times', async () => {
    const single = await trainGbdt(train, {
      parameters: { ...parameters, threads: 1 },
      validation,
    });
    const double = await trainGbdt(train, {
      parameters: { ...parameters, threads: 2 },
      validation,
    });

    expect(double.workerFallbackReason).toBeUndefined();
    expect(double.threadsUsed).toBe(2);
    expect(double.model.toXGBoostJsonText()).toBe(single.model.toXGBoostJsonText());
    expect(double.history).toEqual(
      single.history.map((round, i) => ({ ...round, elapsedMs: double.history[i].elapsedMs })),
    );
    const a = single.validationProbabilities as Float64Array;
    const b = double.validationProbabilities as Float64Array;
    expect(a.every((p, i) => Object.is(p, b[i]))).toBe(true);

    const describe = (threads: number, timings: Record<string, number>) =>
      `${threads} thread(s): ` +
      Object.entries(timings)
        .map(([phase, ms]) => `${phase} ${Math.round(ms)}`)
        .join(', ');
    console.log(
      `200k rows x 30 features, ${parameters.rounds} rounds, depth ${parameters.maxDepth}\n` +
        `${describe(1, { ...single.timings })}\n${describe(2, { ...double.timings })}`,
    );
  });

  it('stays bit-identical for deep trees whose commands outgrow the initial shared area', async () => {
    const deep = syntheticBinarySet(80_000, 10, 23);
    const settings = { rounds: 3, maxDepth: 12, minChildWeight: 0.01, learningRate: 0.3 };
    const single = await trainGbdt(deep, { parameters: { ...settings, threads: 1 } });
    const double = await trainGbdt(deep, { parameters: { ...settings, threads: 2 } });
    const nodes =
      double.model.toXGBoostJson().learner.gradient_booster.model.trees[0].left_children;
    expect(nodes.length).toBeGreaterThan(2_731); // 6 int32 per node > the initial 16384 slots
    expect(double.model.toXGBoostJsonText()).toBe(single.model.toXGBoostJsonText());
  });
});
