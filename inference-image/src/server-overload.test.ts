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

  test('a request that waited past queueDeadlineMs after its body arrived gets 503 unscored', async () => {
    const server = createRankerServer({
      modelDir: artifact.modelDir,
      logger: silentLogger,
      queueDeadlineMs: 20,
    });
    servers.push(server);
    // Stands in for the wait behind other requests' scoring, after this body has arrived.
    server.app.addHook('preHandler', () => new Promise<void>((done) => setTimeout(done, 60)));
    const address = await listenOnLoopback(server);
    await server.ready;

    const answer = await invoke(address);

    expect(answer.statusCode).toBe(503);
    expect(answer.headers['retry-after']).toBe(String(retryAfterSeconds));
    expect(answer.json().error.code).toBe('QUEUE_DEADLINE_EXCEEDED');
    expect(answer.json().error.message).toContain('GFR_QUEUE_DEADLINE_MS = 20');
  });

  test('a slow upload is the client’s time, not a wait in the queue', async () => {
    const { address, arrivals } = await startServer({ queueDeadlineMs: 20 });
    const slow = holdInvocation(address);
    await until(() => arrivals.length === 1);
    await new Promise((resolve) => setTimeout(resolve, 60));

    const status = new Promise<number>((resolve) =>
      slow.on('response', (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      }),
    );
    slow.end(requestBody.subarray(10));

    expect(await status).toBe(200);
  });

  test('a client that stalls mid-body is cut off after requestTimeoutMs and frees its place', async () => {
    const { address, arrivals } = await startServer({ maxInFlight: 1, requestTimeoutMs: 300 });
    const stalled = holdInvocation(address);
    await until(() => arrivals.length === 1);
    expect((await invoke(address)).statusCode).toBe(503);

    const ended = await new Promise<string>((resolve) => {
      stalled.on('response', (response) => resolve(`status ${response.statusCode}`));
      stalled.on('close', () => resolve('closed'));
    });
    let status = 503;
    const deadline = Date.now() + 5_000;
    while (status === 503 && Date.now() < deadline) status = (await invoke(address)).statusCode;

    expect(['status 408', 'closed']).toContain(ended);
    expect(status).toBe(200);
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
