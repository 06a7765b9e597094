import * as http from 'node:http';
import { AddressInfo } from 'node:net';

import {
  EndpointTimeoutError,
  EndpointUnavailableError,
  MalformedResponseError,
  ModelError,
  PayloadTooLargeError,
  ThrottlingError,
  ValidationError,
} from './errors';
import { HttpTransport } from './http-transport';
import { maximumPayloadBytes } from './transport';

/** What the test server answers, in order; the last one repeats. `hang` never answers. */
type Reply = { status: number; body: string; headers?: Record<string, string> } | 'hang';

let replies: Reply[];
let received: { method: string; url: string; headers: http.IncomingHttpHeaders; body: string }[];
let sleeps: number[];
let server: http.Server;
let url: string;
const hanging: http.ServerResponse[] = [];

beforeAll(async () => {
  server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({
        method: request.method!,
        url: request.url!,
        headers: request.headers,
        body: Buffer.concat(chunks).toString(),
      });
      const reply = replies.length > 1 ? replies.shift()! : replies[0];
      if (reply === 'hang') {
        hanging.push(response);
        return;
      }
      response.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
      response.end(reply.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  hanging.forEach((response) => response.destroy());
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  replies = [];
  received = [];
  sleeps = [];
});

function transport(options: { maxAttempts?: number; timeoutMs?: number; to?: string } = {}) {
  return new HttpTransport({
    url: options.to ?? url,
    retry: { maxAttempts: options.maxAttempts ?? 3, baseDelayMs: 20, maxDelayMs: 1000 },
    timeoutMs: options.timeoutMs,
    sleep: async (milliseconds) => {
      sleeps.push(milliseconds);
    },
    random: () => 0.25,
  });
}

const ok = (body: unknown, headers?: Record<string, string>): Reply => ({
  status: 200,
  body: JSON.stringify(body),
  headers,
});

test('a 200 returns the parsed body, the variant and the custom attributes', async () => {
  replies = [
    ok(
      { items: [1] },
      {
        'X-Amzn-Invoked-Production-Variant': 'champion',
        'X-Amzn-SageMaker-Custom-Attributes': 'v=1',
      },
    ),
  ];

  const response = await transport().invoke(
    { schema_version: '1' },
    { inferenceId: 'r-9', customAttributes: 'app=feed', variant: 'champion' },
  );

  expect(response).toEqual({ body: { items: [1] }, variant: 'champion', customAttributes: 'v=1' });
  expect(received).toHaveLength(1);
  expect(received[0]).toMatchObject({
    method: 'POST',
    url: '/invocations',
    body: '{"schema_version":"1"}',
  });
  expect(received[0].headers).toMatchObject({
    'content-type': 'application/json',
    accept: 'application/json',
    'x-amzn-sagemaker-inference-id': 'r-9',
    'x-amzn-sagemaker-custom-attributes': 'app=feed',
    'x-amzn-sagemaker-target-variant': 'champion',
  });
});

test('a 400 is a ValidationError carrying the field the server named, sent once', async () => {
  replies = [
    {
      status: 400,
      body: JSON.stringify({
        error: {
          code: 'INVOCATION_INVALID',
          message:
            'invalid request: user.user_id: Too small: expected string to have >=1 characters',
          field: 'user.user_id',
        },
      }),
    },
  ];

  const failure = (await transport()
    .invoke({})
    .catch((error: unknown) => error)) as ValidationError;

  expect(failure).toBeInstanceOf(ValidationError);
  expect(failure.field).toBe('user.user_id');
  expect(failure.problem).toBe('Too small: expected string to have >=1 characters');
  expect(received).toHaveLength(1);
});

test("a 400 with only core's message still yields the field", async () => {
  replies = [{ status: 400, body: 'invalid request: candidates[0].channel: Invalid option' }];
  const failure = (await transport()
    .invoke({})
    .catch((error: unknown) => error)) as ValidationError;
  expect([failure.field, failure.problem]).toEqual(['candidates[0].channel', 'Invalid option']);
});

test("a 500 is the model's failure: a ModelError with the status, not retried", async () => {
  replies = [{ status: 500, body: '{"error":{"message":"boom"}}' }];

  const failure = (await transport()
    .invoke({})
    .catch((error: unknown) => error)) as ModelError;

  expect(failure).toBeInstanceOf(ModelError);
  expect(failure.details.originalStatusCode).toBe(500);
  expect(failure.details.originalMessage).toBe('{"error":{"message":"boom"}}');
  expect(received).toHaveLength(1);
});

test('503s are retried with backoff until the server answers', async () => {
  replies = [
    { status: 503, body: 'loading' },
    { status: 503, body: 'loading' },
    ok({ fine: true }),
  ];

  expect((await transport().invoke({})).body).toEqual({ fine: true });
  expect(received).toHaveLength(3);
  expect(sleeps).toEqual([5, 10]); // random 0.25 × 20 ms, then × 40 ms
});

test('429s and 503s that persist surface after the attempt limit', async () => {
  replies = [{ status: 429, body: 'slow down' }];
  const throttled = await transport({ maxAttempts: 3 })
    .invoke({})
    .catch((error: unknown) => error);
  expect(throttled).toBeInstanceOf(ThrottlingError);
  expect((throttled as ThrottlingError).attempts).toBe(3);
  expect(received).toHaveLength(3);

  received = [];
  replies = [{ status: 503, body: 'down' }];
  const unavailable = await transport({ maxAttempts: 2 })
    .invoke({})
    .catch((error: unknown) => error);
  expect(unavailable).toBeInstanceOf(EndpointUnavailableError);
  expect((unavailable as EndpointUnavailableError).statusCode).toBe(503);
  expect(received).toHaveLength(2);
});

test('a refused connection is EndpointUnavailableError after the retries', async () => {
  const closed = http.createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const port = (closed.address() as AddressInfo).port;
  await new Promise((resolve) => closed.close(resolve));

  const failure = await transport({ to: `http://127.0.0.1:${port}`, maxAttempts: 2 })
    .invoke({})
    .catch((error: unknown) => error);

  expect(failure).toBeInstanceOf(EndpointUnavailableError);
  expect((failure as Error).message).toMatch(/ECONNREFUSED/);
  expect((failure as EndpointUnavailableError).attempts).toBe(2);
});

test('a server that never answers times out, once', async () => {
  replies = ['hang'];

  const failure = await transport({ timeoutMs: 150 })
    .invoke({})
    .catch((error: unknown) => error);

  expect(failure).toBeInstanceOf(EndpointTimeoutError);
  expect(received).toHaveLength(1);
});

test('a body over the limit never leaves the client; a 200 that is not JSON is malformed', async () => {
  const failure = transport().invoke('x'.repeat(maximumPayloadBytes + 1));
  await expect(failure).rejects.toBeInstanceOf(PayloadTooLargeError);
  expect(received).toHaveLength(0);

  replies = [{ status: 200, body: 'pong' }];
  await expect(transport().invoke({})).rejects.toBeInstanceOf(MalformedResponseError);
});
