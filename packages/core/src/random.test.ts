import { CumulativeWeights, SeededRandom, zipfWeights } from './random';

function draws(random: SeededRandom, count: number, draw: (random: SeededRandom) => number) {
  return Array.from({ length: count }, () => draw(random));
}

function mean(values: number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

test('a seed gives the same sequence and another seed a different one', () => {
  const first = draws(new SeededRandom(7), 5, (random) => random.uint32());
  const again = draws(new SeededRandom(7), 5, (random) => random.uint32());
  const other = draws(new SeededRandom(8), 5, (random) => random.uint32());

  expect(again).toEqual(first);
  expect(other).not.toEqual(first);
});

test('named streams of one seed are reproducible and differ from each other', () => {
  const traffic = draws(SeededRandom.stream(7, 'traffic'), 5, (random) => random.next());
  const trafficAgain = draws(SeededRandom.stream(7, 'traffic'), 5, (random) => random.next());
  const outcomes = draws(SeededRandom.stream(7, 'outcomes'), 5, (random) => random.next());

  expect(trafficAgain).toEqual(traffic);
  expect(outcomes).not.toEqual(traffic);
});

test('uniform numbers stay in [0, 1) with mean one half', () => {
  const values = draws(new SeededRandom(1), 50_000, (random) => random.next());

  expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
  expect(Math.max(...values)).toBeLessThan(1);
  expect(mean(values)).toBeCloseTo(0.5, 2);
});

test('normal numbers have mean 0 and variance 1', () => {
  const values = draws(new SeededRandom(2), 50_000, (random) => random.normal());
  const average = mean(values);
  const variance = mean(values.map((value) => (value - average) ** 2));

  expect(average).toBeCloseTo(0, 1);
  expect(variance).toBeCloseTo(1, 1);
});

test('gamma numbers have mean equal to the shape, also below shape 1', () => {
  expect(mean(draws(new SeededRandom(3), 40_000, (random) => random.gamma(2.5)))).toBeCloseTo(
    2.5,
    1,
  );
  expect(mean(draws(new SeededRandom(4), 40_000, (random) => random.gamma(0.3)))).toBeCloseTo(
    0.3,
    1,
  );
});

test('poisson counts have the requested mean', () => {
  expect(mean(draws(new SeededRandom(5), 40_000, (random) => random.poisson(0.65)))).toBeCloseTo(
    0.65,
    1,
  );
  expect(mean(draws(new SeededRandom(6), 20_000, (random) => random.poisson(40)))).toBeCloseTo(
    40,
    0,
  );
});

test('cumulative weights draw indexes in proportion to their weights and skip zero weights', () => {
  const sampler = new CumulativeWeights([1, 0, 3]);
  const random = new SeededRandom(9);
  const counts = [0, 0, 0];
  for (let draw = 0; draw < 40_000; draw++) counts[sampler.sample(random)]++;

  expect(counts[1]).toBe(0);
  expect(counts[2] / counts[0]).toBeCloseTo(3, 0);
  expect(new CumulativeWeights([0, 0]).sample(random)).toBe(-1);
});

test('zipf weights sum to 1 and fall as 1/rank^exponent', () => {
  const weights = zipfWeights(4, 1);

  expect(weights.reduce((sum, weight) => sum + weight, 0)).toBeCloseTo(1, 12);
  expect(weights[0] / weights[3]).toBeCloseTo(4, 12);
});
