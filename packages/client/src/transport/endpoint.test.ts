import { InvalidArgumentError } from '@gfr/core';

import { transportForEndpoint } from './endpoint';
import { HttpTransport } from './http-transport';
import { SageMakerTransport } from './sagemaker-transport';
import { backoffDelay, defaultRetryPolicy, resolveRetryPolicy } from '../retry';

test('an endpoint address picks its transport', () => {
  expect(transportForEndpoint('http://127.0.0.1:8080')).toBeInstanceOf(HttpTransport);
  expect(transportForEndpoint('sagemaker:gfr-ranker', { region: 'eu-west-1' })).toBeInstanceOf(
    SageMakerTransport,
  );
  expect(
    transportForEndpoint('arn:aws:sagemaker:us-east-2:123456789012:endpoint/gfr-ranker'),
  ).toBeInstanceOf(SageMakerTransport);
  expect(() => transportForEndpoint('gfr-ranker')).toThrow(InvalidArgumentError);
  expect(() => transportForEndpoint('sagemaker:bad_name')).toThrow(/neither/);
});

test('full-jitter backoff draws below a doubling ceiling that stops at the cap', () => {
  const policy = { maxAttempts: 6, baseDelayMs: 100, maxDelayMs: 1000 };
  expect([1, 2, 3, 4, 5].map((retry) => backoffDelay(retry, policy, () => 1))).toEqual([
    100, 200, 400, 800, 1000,
  ]);
  expect(backoffDelay(3, policy, () => 0)).toBe(0);
  expect(backoffDelay(3, policy, () => 0.5)).toBe(200);
});

test('retry policies are checked', () => {
  expect(resolveRetryPolicy()).toEqual(defaultRetryPolicy);
  expect(() => resolveRetryPolicy({ maxAttempts: 0 })).toThrow(/maxAttempts/);
  expect(() => resolveRetryPolicy({ baseDelayMs: -1 })).toThrow(/delays/);
});
