import * as http from 'node:http';
import { Logger, silentLogger } from '@gfr/core';

import { listenOnLoopback, send } from '../test-support/http';
import { SmallArtifact, trainSmallArtifact } from '../test-support/small-artifact';
import { ServeConfigurationError } from './errors';
import { RankerServer, RankerServerOptions, createRankerServer, retryAfterSeconds } from './server';
import { syntheticInvocationRequest } from './synthetic-request';

let artifact: SmallArtifact;
const servers: RankerServer[] = [];
const held: http.ClientRequest[] = [];

beforeAll(async () => {
  artifact = await trainSmallArtifact();
}, 120_000);

afterEach(async () => {
  for (const request of held.splice(0)) request.destroy();
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

const requestBody = Buffer.from(JSON.stringify(syntheticInvocationRequest({ candidates: 20 })));

/** A ready server on loopback, with the debug lines that show each request's arrival. */
async function startServer(options: Partial<RankerServerOptions>) {
  const arrivals: string[] = [];
  const logger = new Logger({}, 'debug', {
    write: (line) => {
      if (JSON.parse(line).message === 'request received') arrivals.push(line);
    },
  });
  const server = createRankerServer({ modelDir: artifact.modelDir, logger, ...options });
  servers.push(server);
  const address = await listenOnLoopback(server);
  await server.ready;
  return { server, address, arrivals };
}

/** Sends the headers and half the body of an invocation, then holds it open (in flight). */
function holdInvocation(address: string): http.ClientRequest {
  const request = http.request(`${address}/invocations`, {
    method: 'POST',
    agent: false,
    headers: { 'content-type': 'application/json', 'content-length': requestBody.length },
  });
  request.on('error', () => undefined);
  request.write(requestBody.subarray(0, 10));
  held.push(request);
  return request;
}

const invoke = (address: string) =>
  send(`${address}/invocations`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: requestBody,
  });

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe('load shedding on /invocations', () => {
  test('beyond maxInFlight a request gets 503 at once with Retry-After and the limit named', async () => {
    const { address, arrivals } = await startServer({ maxInFlight: 2 });
    holdInvocation(address);
    holdInvocation(address);
    await until(() => arrivals.length === 2);

    const shed = await invoke(address);

    expect(shed.statusCode).toBe(503);
    expect(shed.headers['retry-after']).toBe(String(retryAfterSeconds));
    expect(shed.json().error.code).toBe('OVERLOADED');
    expect(shed.json().error.message).toContain('GFR_MAX_IN_FLIGHT = 2');
  });

  test('/ping stays 200 while /invocations is at its bound', async () => {
    const { address, arrivals } = await startServer({ maxInFlight: 1 });
    holdInvocation(address);
    await until(() => arrivals.length === 1);

    const pong = await send(`${address}/ping`);

    expect(pong.statusCode).toBe(200);
    expect((await invoke(address)).statusCode).toBe(503);
  });

  test('under the bound requests are scored, and a finished request frees its place', async () => {
    const { address, arrivals } = await startServer({ maxInFlight: 2 });
    const first = holdInvocation(address);
    await until(() => arrivals.length === 1);

    expect((await invoke(address)).statusCode).toBe(200);

    const firstAnswered = new Promise<number>((resolve) =>
      first.on('response', (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      }),
    );
    first.end(requestBody.subarray(10));
    expect(await firstAnswered).toBe(200);
    holdInvocation(address);
    await until(() => arrivals.length === 3);
    expect((await invoke(address)).statusCode).toBe(200);
  });

  test('a caller that hangs up frees its place', async () => {
    const { address, arrivals } = await startServer({ maxInFlight: 1 });
    const abandoned = holdInvocation(address);
    await until(() => arrivals.length === 1);
    expect((await invoke(address)).statusCode).toBe(503);

    abandoned.destroy();
    let status = 503;
    while (status === 503) status = (await invoke(address)).statusCode;

    expect(status).toBe(200);
  });

  test('a request that waited past queueDeadlineMs gets 503 unscored', async () => {
    const { address, arrivals } = await startServer({ queueDeadlineMs: 20 });
    const slow = holdInvocation(address);
    await until(() => arrivals.length === 1);
    await new Promise((resolve) => setTimeout(resolve, 60));

    const answer = new Promise<{ status: number; retryAfter: unknown; body: string }>((resolve) =>
      slow.on('response', (response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString()));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            retryAfter: response.headers['retry-after'],
            body,
          }),
        );
      }),
    );
    slow.end(requestBody.subarray(10));
    const { status, retryAfter, body } = await answer;

    expect(status).toBe(503);
    expect(retryAfter).toBe(String(retryAfterSeconds));
    expect(JSON.parse(body).error.code).toBe('QUEUE_DEADLINE_EXCEEDED');
    expect(JSON.parse(body).error.message).toContain('GFR_QUEUE_DEADLINE_MS = 20');
  });

  test('a bad GFR_MAX_IN_FLIGHT is a configuration error naming it and the value', () => {
    const saved = process.env.GFR_MAX_IN_FLIGHT;
    process.env.GFR_MAX_IN_FLIGHT = 'lots';
    try {
      expect(() =>
        createRankerServer({ modelDir: artifact.modelDir, logger: silentLogger }),
      ).toThrow(
        new ServeConfigurationError('GFR_MAX_IN_FLIGHT must be a positive integer, got "lots"'),
      );
    } finally {
      if (saved === undefined) delete process.env.GFR_MAX_IN_FLIGHT;
      else process.env.GFR_MAX_IN_FLIGHT = saved;
    }
  });
});
