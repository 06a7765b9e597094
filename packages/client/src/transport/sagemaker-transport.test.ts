import {
  InvokeEndpointCommand,
  ModelError as SdkModelError,
  SageMakerRuntimeClient,
  ServiceUnavailable,
} from '@aws-sdk/client-sagemaker-runtime';
import { mockClient } from 'aws-sdk-client-mock';

import {
  EndpointTimeoutError,
  EndpointUnavailableError,
  MalformedResponseError,
  ModelError,
  PayloadTooLargeError,
  ThrottlingError,
  ValidationError,
} from './errors';
import { SageMakerTransport, defaultSageMakerTimeoutMs } from './sagemaker-transport';
import { maximumPayloadBytes } from './transport';

const runtime = mockClient(SageMakerRuntimeClient);
let sleeps: number[];

function transport(options: { maxAttempts?: number; timeoutMs?: number } = {}) {
  return new SageMakerTransport({
    endpointName: 'gfr-ranker',
    client: new SageMakerRuntimeClient({ region: 'eu-west-1' }),
    retry: { maxAttempts: options.maxAttempts ?? 4, baseDelayMs: 100, maxDelayMs: 300 },
    timeoutMs: options.timeoutMs,
    sleep: async (milliseconds) => {
      sleeps.push(milliseconds);
    },
    random: () => 1, // the largest delay full jitter allows, to see the exponential ceiling
  });
}

const calls = () => runtime.commandCalls(InvokeEndpointCommand);
const answer = (body: unknown, variant = 'challenger') => ({
  Body: new TextEncoder().encode(JSON.stringify(body)) as never,
  ContentType: 'application/json',
  InvokedProductionVariant: variant,
  CustomAttributes: 'model=v2',
});
const throttling = () =>
  Object.assign(new Error('Rate exceeded'), {
    name: 'ThrottlingException',
    $fault: 'client',
    $metadata: { httpStatusCode: 400 },
  });

beforeEach(() => {
  runtime.reset();
  sleeps = [];
});

test('a call sends JSON with content type, accept, variant, inference id and custom attributes', async () => {
  runtime.on(InvokeEndpointCommand).resolves(answer({ items: [] }));

  const response = await transport().invoke(
    { schema_version: '1' },
    { variant: 'challenger', inferenceId: 'req-1', customAttributes: 'app=feed' },
  );

  expect(response).toEqual({
    body: { items: [] },
    variant: 'challenger',
    customAttributes: 'model=v2',
  });
  const input = calls()[0].args[0].input;
  expect(input).toMatchObject({
    EndpointName: 'gfr-ranker',
    ContentType: 'application/json',
    Accept: 'application/json',
    TargetVariant: 'challenger',
    InferenceId: 'req-1',
    CustomAttributes: 'app=feed',
  });
  expect(Buffer.from(input.Body as Uint8Array).toString()).toBe('{"schema_version":"1"}');
});

test('a ModelError (424) keeps the original status, message and log stream and is not retried', async () => {
  runtime.on(InvokeEndpointCommand).rejects(
    new SdkModelError({
      message: 'Received server error (500) from model',
      $metadata: { httpStatusCode: 424 },
      OriginalStatusCode: 500,
      OriginalMessage: '{"error":{"message":"tree 3 has no root"}}',
      LogStreamArn: 'arn:aws:logs:eu-west-1:123456789012:log-group:/aws/sagemaker/Endpoints/x',
    }),
  );

  const failure = await transport()
    .invoke({})
    .catch((error: unknown) => error);

  expect(failure).toBeInstanceOf(ModelError);
  expect((failure as ModelError).details).toEqual({
    originalStatusCode: 500,
    originalMessage: '{"error":{"message":"tree 3 has no root"}}',
    logStreamArn: 'arn:aws:logs:eu-west-1:123456789012:log-group:/aws/sagemaker/Endpoints/x',
  });
  expect((failure as ModelError).attempts).toBe(1);
  expect(calls()).toHaveLength(1);
  expect(sleeps).toEqual([]);
});

test("the container's 400 arrives as a ValidationError naming the field, not retried", async () => {
  runtime.on(InvokeEndpointCommand).rejects(
    new SdkModelError({
      message: 'Received client error (400) from model',
      $metadata: { httpStatusCode: 424 },
      OriginalStatusCode: 400,
      OriginalMessage: JSON.stringify({
        error: {
          code: 'INVOCATION_INVALID',
          message: 'invalid request: candidates[3].price: Too small: expected number to be >=0',
          field: 'candidates[3].price',
        },
      }),
    }),
  );

  const failure = (await transport()
    .invoke({})
    .catch((error: unknown) => error)) as ValidationError;

  expect(failure).toBeInstanceOf(ValidationError);
  expect(failure.source).toBe('endpoint');
  expect(failure.field).toBe('candidates[3].price');
  expect(failure.problem).toBe('Too small: expected number to be >=0');
  expect(calls()).toHaveLength(1);
});

test('throttling is retried with exponential backoff up to the attempt limit, then surfaced', async () => {
  runtime.on(InvokeEndpointCommand).rejects(throttling());

  const failure = (await transport({ maxAttempts: 4 })
    .invoke({})
    .catch((error: unknown) => error)) as ThrottlingError;

  expect(failure).toBeInstanceOf(ThrottlingError);
  expect(failure.attempts).toBe(4);
  expect(calls()).toHaveLength(4);
  expect(sleeps).toEqual([100, 200, 300]); // base 100 ms doubling, capped at 300 ms
});

test('a throttled call that then succeeds returns the answer', async () => {
  runtime
    .on(InvokeEndpointCommand)
    .rejectsOnce(throttling())
    .rejectsOnce(new ServiceUnavailable({ message: 'busy', $metadata: { httpStatusCode: 503 } }))
    .resolves(answer({ ok: true }));

  expect((await transport().invoke({})).body).toEqual({ ok: true });
  expect(calls()).toHaveLength(3);
});

test('unavailability is retried and surfaced as EndpointUnavailableError', async () => {
  runtime
    .on(InvokeEndpointCommand)
    .rejects(new ServiceUnavailable({ message: 'busy', $metadata: { httpStatusCode: 503 } }));

  await expect(transport({ maxAttempts: 2 }).invoke({})).rejects.toBeInstanceOf(
    EndpointUnavailableError,
  );
  expect(calls()).toHaveLength(2);
});

test('a body over 6 MiB after serialization is refused before anything is sent', async () => {
  runtime.on(InvokeEndpointCommand).resolves(answer({}));
  // 3 MiB characters but 6 MiB + 2 bytes in UTF-8: the limit is on bytes.
  const wide = { ids: 'é'.repeat(maximumPayloadBytes / 2 - 4) };

  const failure = (await transport()
    .invoke(wide)
    .catch((error: unknown) => error)) as PayloadTooLargeError;

  expect(failure).toBeInstanceOf(PayloadTooLargeError);
  expect(failure.bytes).toBe(maximumPayloadBytes + 2);
  expect(calls()).toHaveLength(0);

  await transport().invoke('x'.repeat(maximumPayloadBytes));
  expect(calls()).toHaveLength(1);
});

test('a call that outlives its timeout is abandoned, aborted and not retried', async () => {
  runtime.on(InvokeEndpointCommand).callsFake(() => new Promise(() => undefined));

  const failure = await transport({ timeoutMs: 50 })
    .invoke({})
    .catch((error: unknown) => error);

  expect(failure).toBeInstanceOf(EndpointTimeoutError);
  expect((failure as EndpointTimeoutError).timeoutMs).toBe(50);
  expect(calls()).toHaveLength(1);
  expect((calls()[0].args[1] as { abortSignal: AbortSignal }).abortSignal.aborted).toBe(true);
  expect(defaultSageMakerTimeoutMs).toBeGreaterThan(60_000);
});

test('a response that is not JSON is a MalformedResponseError', async () => {
  runtime.on(InvokeEndpointCommand).resolves({
    Body: new TextEncoder().encode('<html>') as never,
  });
  const failure = transport().invoke({});
  await expect(failure).rejects.toBeInstanceOf(MalformedResponseError);
  await expect(failure).rejects.toThrow('endpoint response: not JSON: "<html>"');
});

test('options SageMaker would refuse are refused locally, before sending', async () => {
  await expect(transport().invoke({}, { inferenceId: 'x'.repeat(65) })).rejects.toThrow(
    /inferenceId: must be 1 to 64 visible ASCII characters/,
  );
  await expect(transport().invoke({}, { customAttributes: 'é' })).rejects.toBeInstanceOf(
    ValidationError,
  );
  expect(calls()).toHaveLength(0);
});
