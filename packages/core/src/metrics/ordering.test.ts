import { ascendingOrder } from './ordering';

function seededUniform(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function expectAscendingPermutation(values: ArrayLike<number>, order: Uint32Array): void {
  expect(order).toHaveLength(values.length);
  expect(new Set(order).size).toBe(values.length);
  for (let i = 1; i < order.length; i++) {
    if (!(values[order[i - 1]] <= values[order[i]])) {
      throw new Error(`rows out of order at ${i}: ${values[order[i - 1]]} > ${values[order[i]]}`);
    }
  }
}

test('small inputs come back as an ascending permutation', () => {
  const values = [0.5, -1, 0.5, 3, -0, 0];
  const order = ascendingOrder(values);
  expectAscendingPermutation(values, order);
  expect(order[0]).toBe(1);
  expect(order[5]).toBe(3);
});

test('the radix path orders negatives, signed zeros, subnormals, huge values and ties', () => {
  const uniform = seededUniform(29);
  const special = [-0, 0, 5e-324, -5e-324, 1e308, -1e308, Number.MIN_VALUE, -Infinity, Infinity];
  const values = Array.from({ length: 20_000 }, (_, row) => {
    if (row % 50 === 0) return special[(row / 50) % special.length];
    const magnitude = 10 ** Math.floor(uniform() * 12 - 6);
    const value = (uniform() - 0.4) * magnitude;
    return row % 3 === 0 ? Math.round(value * 100) / 100 : value;
  });

  expectAscendingPermutation(values, ascendingOrder(values));
  expectAscendingPermutation(Float32Array.from(values), ascendingOrder(Float32Array.from(values)));
});

test('values differing only in their low 32 bits are still fully ordered, either sign', () => {
  const uniform = seededUniform(31);
  for (const base of [0.25, -0.25]) {
    const values = Float64Array.from({ length: 10_000 }, () => base + uniform() * 1e-9);
    expectAscendingPermutation(values, ascendingOrder(values));
  }
});
