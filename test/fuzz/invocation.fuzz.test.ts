import fc from 'fast-check';
import {
  InvocationValidationError,
  invocationRequestSchema,
  parseInvocationRequest,
} from '@gfr/core';
import { syntheticInvocationRequest } from '@gfr/inference-image';

import { fuzzRuns } from './fuzz-settings';
import { applyMutation, formatJsonPath, mutationOf, onSameBranch } from './json-mutation';

/**
 * The invocation parser, the first thing every request meets: it accepts a body or rejects it
 * with {@link InvocationValidationError} naming the field; no input makes it throw anything
 * else.
 */

/** Parses `body`; a rejection must be an InvocationValidationError naming a field. */
function parseOrReject(body: unknown): { accepted: true } | { accepted: false; field: string } {
  try {
    parseInvocationRequest(body);
    return { accepted: true };
  } catch (error) {
    expect(error).toBeInstanceOf(InvocationValidationError);
    const { field, message } = error as InvocationValidationError;
    expect(message).toContain(field === '' ? '(body)' : field);
    return { accepted: false, field };
  }
}

const valid = syntheticInvocationRequest({ candidates: 4, k: 3, seed: 2 });

test('a valid request is accepted (the mutations below start from it)', () => {
  expect(parseOrReject(valid)).toEqual({ accepted: true });
});

test('arbitrary JSON values are accepted or rejected naming the field, never a crash', () => {
  fc.assert(
    fc.property(fc.jsonValue({ maxDepth: 4 }), (body) => {
      parseOrReject(body);
    }),
    { numRuns: fuzzRuns },
  );
});

test('objects shaped like requests with arbitrary members: the field named is on the body', () => {
  const requestLike = fc.record(
    {
      schema_version: fc.oneof(fc.constant('1'), fc.jsonValue({ maxDepth: 1 })),
      k: fc.jsonValue({ maxDepth: 1 }),
      user: fc.oneof(fc.constant(valid.user), fc.jsonValue({ maxDepth: 2 })),
      candidates: fc.oneof(fc.constant(valid.candidates), fc.jsonValue({ maxDepth: 2 })),
      blend: fc.jsonValue({ maxDepth: 2 }),
    },
    { requiredKeys: [] },
  );
  fc.assert(
    fc.property(requestLike, (body) => {
      const outcome = parseOrReject(body);
      if (outcome.accepted) return;
      const topLevel = outcome.field.split(/[.[]/, 1)[0];
      expect(Object.keys(invocationRequestSchema.shape)).toContain(topLevel);
    }),
    { numRuns: fuzzRuns },
  );
});

test('one mutation of a valid request: accepted, or rejected naming the mutated field', () => {
  let rejected = 0;
  fc.assert(
    fc.property(mutationOf(valid), (mutation) => {
      const outcome = parseOrReject(applyMutation(valid, mutation));
      if (outcome.accepted) return;
      rejected += 1;
      expect(onSameBranch(outcome.field, formatJsonPath(mutation.path))).toBe(true);
    }),
    { numRuns: fuzzRuns },
  );

  // Most single mutations break the contract; a parser that accepted everything would fail here.
  expect(rejected).toBeGreaterThan(fuzzRuns / 4);
});
