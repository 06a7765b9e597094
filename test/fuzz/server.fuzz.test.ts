import fc from 'fast-check';
import { InvocationResponse, maximumPrice, silentLogger } from '@gfr/core';
import {
  ErrorBody,
  RankerServer,
  createRankerServer,
  syntheticInvocationRequest,
} from '@gfr/inference-image';

import { trainSmallArtifact } from '../../inference-image/test-support/small-artifact';
import { fuzzRuns } from './fuzz-settings';
import { applyMutation, formatJsonPath, mutationOf, onSameBranch } from './json-mutation';

/**
 * The real server (fastify's inject: the whole request path without a socket) against
 * arbitrary and mutated bodies: every answer is a 200 with a well-formed feed or a 4xx whose
 * JSON error names the problem (the field, for a schema violation); never a 5xx, never a crash.
 */

// fastify's inject loads `cookie`, which ships as an ES module only; Jest runs CommonJS. No
// request here carries cookies, so the one function inject takes from it is never called.
jest.mock('cookie', () => ({
  stringifySetCookie: () => {
    throw new Error('cookies are not used by the fuzz tests');
  },
}));

let server: RankerServer;

beforeAll(async () => {
  const artifact = await trainSmallArtifact();
  server = createRankerServer({ modelDir: artifact.modelDir, logger: silentLogger });
  await server.ready;
}, 120_000);

afterAll(() => server.close());

/** What one POST /invocations answered, checked against the contract. */
async function invoke(
  payload: string | Buffer,
  headers: Record<string, string> = { 'content-type': 'application/json' },
): Promise<{ status: number; error?: ErrorBody['error'] }> {
  const reply = await server.app.inject({ method: 'POST', url: '/invocations', headers, payload });
  expect(reply.statusCode).toBeLessThan(500);
  expect(reply.headers['content-type']).toMatch(/^application\/json/);
  const body = reply.json() as InvocationResponse & ErrorBody;
  if (reply.statusCode === 200) {
    for (const item of body.items) {
      for (const value of [item.p_ctr, item.p_cvr]) {
        expect(value).toBeGreaterThanOrEqual(0);
        expect(value).toBeLessThanOrEqual(1);
      }
      expect(Number.isFinite(item.score)).toBe(true);
    }
    return { status: 200 };
  }
  expect(reply.statusCode).toBeGreaterThanOrEqual(400);
  expect(body.error.code).toMatch(/^[A-Z_]+$/);
  expect(body.error.message.length).toBeGreaterThan(0);
  if (body.error.code === 'INVOCATION_INVALID') expect(typeof body.error.field).toBe('string');
  return { status: reply.statusCode, error: body.error };
}

const valid = syntheticInvocationRequest({ candidates: 5, k: 3, seed: 4 });

test('the valid request the mutations start from is ranked', async () => {
  expect((await invoke(JSON.stringify(valid))).status).toBe(200);
});

test('arbitrary JSON bodies get a 200 or a 4xx naming the field, never a 5xx', async () => {
  await fc.assert(
    fc.asyncProperty(fc.jsonValue({ maxDepth: 4 }), async (body) => {
      const answer = await invoke(JSON.stringify(body));
      expect(answer.status).toBe(400);
    }),
    { numRuns: fuzzRuns },
  );
});

test('arbitrary bytes get a 4xx saying the body is not JSON or breaks the schema', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.oneof(fc.string({ unit: 'binary', maxLength: 64 }), fc.uint8Array({ maxLength: 64 })),
      async (payload) => {
        const answer = await invoke(typeof payload === 'string' ? payload : Buffer.from(payload));
        expect(answer.status).toBe(400);
        expect(['INVOCATION_INVALID_JSON', 'INVOCATION_INVALID']).toContain(answer.error!.code);
      },
    ),
    { numRuns: fuzzRuns },
  );
});

test('one mutation of a valid request: a feed, or a 400 naming the mutated field', async () => {
  let rejected = 0;
  await fc.assert(
    fc.asyncProperty(mutationOf(valid), async (mutation) => {
      const answer = await invoke(JSON.stringify(applyMutation(valid, mutation)));
      if (answer.status === 200) return;
      rejected += 1;
      expect(answer.status).toBe(400);
      expect(answer.error!.code).toBe('INVOCATION_INVALID');
      expect(onSameBranch(answer.error!.field!, formatJsonPath(mutation.path))).toBe(true);
    }),
    { numRuns: fuzzRuns },
  );
  expect(rejected).toBeGreaterThan(fuzzRuns / 4);
});

test('numbers beyond double range in the text are rejected or ranked, never a 5xx', async () => {
  const text = JSON.stringify(valid);
  const numberSpans = [...text.matchAll(/-?\d+(\.\d+)?(e[+-]?\d+)?/gi)].map((match) => ({
    start: match.index,
    end: match.index + match[0].length,
  }));
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(...numberSpans),
      fc.constantFrom('1e999', '-1e999', '1e-999', '123456789012345678901234567890'),
      async (span, replacement) => {
        const answer = await invoke(text.slice(0, span.start) + replacement + text.slice(span.end));
        if (answer.status !== 200) expect(answer.error!.code).toBe('INVOCATION_INVALID');
      },
    ),
    { numRuns: fuzzRuns },
  );
});

test('prices and price weights anywhere in their ranges give finite scores', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.double({ min: 0, max: 2, noNaN: true }),
      fc.array(fc.oneof(fc.constant(null), fc.double({ min: 0, max: maximumPrice, noNaN: true })), {
        minLength: valid.candidates.length,
        maxLength: valid.candidates.length,
      }),
      async (priceWeight, prices) => {
        const request = {
          ...valid,
          blend: { price_weight: priceWeight },
          candidates: valid.candidates.map((candidate, index) => ({
            ...candidate,
            price: prices[index],
          })),
        };
        expect((await invoke(JSON.stringify(request))).status).toBe(200);
      },
    ),
    { numRuns: fuzzRuns },
  );
});

test('arbitrary Content-Type and Accept headers: a feed, a 415 or a 406, never a 5xx', async () => {
  // Header values as HTTP allows them: visible ASCII and spaces.
  const headerValue = fc.oneof(
    fc.stringMatching(/^[\x20-\x7e]{0,40}$/),
    fc.constantFrom('application/json; charset=utf-8', 'APPLICATION/JSON', 'text/csv', '*/*'),
  );
  const body = JSON.stringify(valid);
  await fc.assert(
    fc.asyncProperty(headerValue, fc.option(headerValue), async (contentType, accept) => {
      const headers: Record<string, string> = { 'content-type': contentType };
      if (accept !== null) headers.accept = accept;
      const answer = await invoke(body, headers);
      expect([200, 400, 406, 415]).toContain(answer.status);
    }),
    { numRuns: fuzzRuns },
  );
});
