import { objectiveScore } from '../ranking/blend';
import { InvocationValidationError, parseInvocationRequest } from './parse';
import { InvocationRequestInput, maximumPrice } from './schema';

function request(price: number, priceWeight: number): InvocationRequestInput {
  return {
    schema_version: '1',
    user: { user_id: 'u1' },
    blend: { price_weight: priceWeight },
    candidates: [{ item_id: 'i1', channel: 'exploit', price }],
  };
}

function rejection(body: unknown): InvocationValidationError {
  try {
    parseInvocationRequest(body);
  } catch (error) {
    return error as InvocationValidationError;
  }
  throw new Error('the request was accepted');
}

// Found by fuzzing: price 1e308 with price_weight 1.0008 made the score Infinity, sent as null.
test('a price beyond the largest real price is rejected naming the candidate’s price', () => {
  const error = rejection(request(9.99999999999885e307, 1.0008269985711584));

  expect(error).toBeInstanceOf(InvocationValidationError);
  expect(error.field).toBe('candidates[0].price');
  expect(error.message).toBe(
    'invalid request: candidates[0].price: Too big: expected number to be <=1000000000000',
  );
});

test('the largest price at the largest price weight is accepted and scores finite', () => {
  const parsed = parseInvocationRequest(request(maximumPrice, 2));
  const price = parsed.candidates[0].price;

  expect(price).toBe(maximumPrice);
  expect(objectiveScore(1, 1, price, parsed.blend.price_weight)).toBe(1e24);
});

test('a repeated candidate is rejected naming the repeat and the first', () => {
  const error = rejection({
    schema_version: '1',
    user: { user_id: 'u1' },
    candidates: [
      { item_id: 'i1', channel: 'exploit' },
      { item_id: 'i2', channel: 'recent' },
      { item_id: 'i1', channel: 'explore' },
    ],
  });

  expect(error.field).toBe('candidates[2].item_id');
  expect(error.message).toBe(
    'invalid request: candidates[2].item_id: duplicate item_id "i1" (also candidates[0])',
  );
});

test('a channel quota whose min exceeds its max is rejected naming it', () => {
  const error = rejection({
    schema_version: '1',
    user: { user_id: 'u1' },
    blend: { channel_quotas: { exploit: { min: 1, max: 0 } } },
    candidates: [{ item_id: 'i1', channel: 'exploit' }],
  });

  expect(error.field).toBe('blend.channel_quotas.exploit.min');
  expect(error.message).toContain('min must not exceed max');
});
