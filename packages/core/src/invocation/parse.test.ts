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
