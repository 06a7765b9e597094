import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { InvocationResponse, Logger, silentLogger } from '@gfr/core';

import { HttpReply, listenOnLoopback, send } from '../test-support/http';
import { SmallArtifact, trainSmallArtifact } from '../test-support/small-artifact';
import { readCaptureRecords } from './capture';
import { RankingModel, loadRankingModel } from './ranking-model';
import {
  RankerServer,
  RankerServerOptions,
  createRankerServer,
  customAttributesHeader,
  maximumBodyBytes,
} from './server';
import { syntheticInvocationRequest } from './synthetic-request';

let artifact: SmallArtifact;
const servers: RankerServer[] = [];
const addresses = new Map<RankerServer, string>();

beforeAll(async () => {
  artifact = await trainSmallArtifact();
}, 120_000);

afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
});

/** A server listening on loopback; `ready` is awaited unless the test wants to watch it. */
async function startServer(
  options: Partial<RankerServerOptions> = {},
  awaitReady = true,
): Promise<RankerServer> {
  const server = createRankerServer({
    modelDir: artifact.modelDir,
    logger: silentLogger,
    ...options,
  });
  servers.push(server);
  addresses.set(server, await listenOnLoopback(server));
  if (awaitReady) await server.ready;
  return server;
}

const readyServer = (options: Partial<RankerServerOptions> = {}) => startServer(options);

function invoke(
  server: RankerServer,
  body: unknown,
  headers: Record<string, string> = { 'content-type': 'application/json' },
): Promise<HttpReply> {
  return send(`${addresses.get(server)}/invocations`, {
    method: 'POST',
    headers,
    // Bytes, so that fetch adds no content type of its own.
    body: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
  });
}

const ping = (server: RankerServer) => send(`${addresses.get(server)}/ping`);

describe('POST /invocations with a trained artifact', () => {
  test('returns the top k ranked by position with probabilities, channel and model version', async () => {
    const server = await readyServer();
    const request = syntheticInvocationRequest({ candidates: 50, k: 12, seed: 3 });

    const reply = await invoke(server, request);

    expect(reply.statusCode).toBe(200);
    expect(reply.headers['content-type']).toMatch(/^application\/json/);
    const response = reply.json() as InvocationResponse;
    expect(response.schema_version).toBe('1');
    expect(response.model_version).toBe(artifact.modelVersion);
    expect(response.request_id).toBe('synthetic-3');
    expect(response.items.map((item) => item.position)).toEqual(
      Array.from({ length: 12 }, (_, index) => index + 1),
    );
    const scores = response.items.map((item) => item.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    const channels = new Map(request.candidates.map((c) => [c.item_id, c.channel]));
    for (const item of response.items) {
      expect(item.p_ctr).toBeGreaterThan(0);
      expect(item.p_ctr).toBeLessThan(1);
      expect(item.p_cvr).toBeGreaterThan(0);
      expect(item.p_cvr).toBeLessThanOrEqual(1);
      expect(item.score).toBeCloseTo(item.p_ctr * item.p_cvr, 12);
      expect(item.channel).toBe(channels.get(item.item_id));
    }
  });

  test('never returns items the user bought, even the best-scored ones', async () => {
    const server = await readyServer();
    const request = syntheticInvocationRequest({ candidates: 30, k: 30, seed: 4 });
    const first = (await invoke(server, request)).json() as InvocationResponse;
    const bought = first.items.slice(0, 3).map((item) => item.item_id);

    const reply = await invoke(server, {
      ...request,
      user: { ...request.user, purchased_items: bought },
    });

    const ids = (reply.json() as InvocationResponse).items.map((item) => item.item_id);
    expect(ids).toHaveLength(27);
    expect(ids.filter((id) => bought.includes(id))).toEqual([]);
  });

  test('returns the model version and request id in X-Amzn-SageMaker-Custom-Attributes', async () => {
    const server = await readyServer();
    const request = { ...syntheticInvocationRequest({ candidates: 3 }), request_id: 'feed 42;x' };

    const reply = await invoke(server, request);

    expect(reply.headers[customAttributesHeader]).toBe(
      `model_version=${encodeURIComponent(artifact.modelVersion)};request_id=feed%2042%3Bx`,
    );
  });

  test('accepts a charset parameter on the content type', async () => {
    const server = await readyServer();
    const reply = await invoke(server, syntheticInvocationRequest({ candidates: 3 }), {
      'content-type': 'application/json; charset=utf-8',
      accept: 'application/json',
    });
    expect(reply.statusCode).toBe(200);
  });
});

describe('bad input gets a 4xx naming the problem', () => {
  test('invalid JSON is a 400 that says so', async () => {
    const server = await readyServer();
    const reply = await invoke(server, '{"schema_version": "1", "candidates": [');
    expect(reply.statusCode).toBe(400);
    expect(reply.json().error.code).toBe('INVOCATION_INVALID_JSON');
    expect(reply.json().error.message).toMatch(/^the request body is not valid JSON: /);
  });

  test('an empty body is a 400', async () => {
    const server = await readyServer();
    const reply = await invoke(server, '');
    expect(reply.statusCode).toBe(400);
    expect(reply.json().error).toEqual({
      code: 'INVOCATION_INVALID_JSON',
      message: 'the request body is empty',
    });
  });

  test('a schema error is a 400 whose body names the field', async () => {
    const server = await readyServer();
    const request = syntheticInvocationRequest({ candidates: 5 });
    request.candidates[3].price = -4;

    const reply = await invoke(server, request);

    expect(reply.statusCode).toBe(400);
    const { error } = reply.json();
    expect(error.code).toBe('INVOCATION_INVALID');
    expect(error.field).toBe('candidates[3].price');
    expect(error.message).toMatch(/^invalid request: candidates\[3\]\.price: /);
  });

  test('a wrong content type is a 415 naming it', async () => {
    const server = await readyServer();
    const reply = await invoke(server, 'user,item\n1,2\n', { 'content-type': 'text/csv' });
    expect(reply.statusCode).toBe(415);
    expect(reply.json().error).toEqual({
      code: 'UNSUPPORTED_MEDIA_TYPE',
      message: 'Content-Type "text/csv" must be application/json',
    });
  });

  test('an unparsable content type is a 415 in the same shape', async () => {
    const server = await readyServer();
    const reply = await invoke(server, '{}', { 'content-type': ';;;' });
    expect(reply.statusCode).toBe(415);
    expect(reply.json().error).toEqual({
      code: 'UNSUPPORTED_MEDIA_TYPE',
      message: 'Content-Type ";;;" must be application/json',
    });
  });

  test('a missing content type is a 415', async () => {
    const server = await readyServer();
    const reply = await invoke(server, '{}', {});
    expect(reply.statusCode).toBe(415);
    expect(reply.json().error.message).toBe('Content-Type is missing; it must be application/json');
  });

  test('an Accept header without JSON is a 406', async () => {
    const server = await readyServer();
    const reply = await invoke(server, syntheticInvocationRequest({ candidates: 2 }), {
      'content-type': 'application/json',
      accept: 'text/csv',
    });
    expect(reply.statusCode).toBe(406);
    expect(reply.json().error.code).toBe('NOT_ACCEPTABLE');
  });

  test('a body over 6 MiB is a 413; exactly 6 MiB is read', async () => {
    const server = await readyServer();
    const padded = (bytes: number) => {
      const json = JSON.stringify(syntheticInvocationRequest({ candidates: 2 }));
      return json.slice(0, -1) + ',"pad":"' + 'x'.repeat(bytes - json.length - 9) + '"}';
    };
    expect(Buffer.byteLength(padded(maximumBodyBytes))).toBe(maximumBodyBytes);

    const over = await invoke(server, padded(maximumBodyBytes + 1));
    const limit = await invoke(server, padded(maximumBodyBytes));

    expect(over.statusCode).toBe(413);
    expect(over.json().error).toEqual({
      code: 'PAYLOAD_TOO_LARGE',
      message: "request body exceeds 6291456 bytes (6 MiB, SageMaker's limit)",
    });
    expect(limit.statusCode).toBe(200);
  });

  test('an unknown route is a 404 that names the two routes', async () => {
    const server = await readyServer();
    const reply = await send(`${addresses.get(server)}/invocations`);
    expect(reply.statusCode).toBe(404);
    expect(reply.json().error.message).toBe(
      'no route GET /invocations: use GET /ping or POST /invocations',
    );
  });
});

describe('faults and readiness', () => {
  const fakeModel = (rank: RankingModel['rank']): RankingModel => ({
    modelVersion: 'fake-1',
    heads: ['ctr', 'cvr'],
    rank,
  });
  const fakeResponse = (request: { candidates: { item_id: string }[] }): InvocationResponse => ({
    schema_version: '1',
    request_id: null,
    model_version: 'fake-1',
    items: request.candidates.map((candidate, index) => ({
      item_id: candidate.item_id,
      channel: 'exploit',
      position: index + 1,
      p_ctr: 0.1,
      p_cvr: 0.2,
      score: 0.02,
    })),
  });

  test('an internal fault is a 500 without a stack trace, logged with the stack', async () => {
    const lines: string[] = [];
    const logger = new Logger({}, 'info', { write: (line) => lines.push(line) });
    let calls = 0;
    const server = await readyServer({
      logger,
      loadModel: async () =>
        fakeModel((request) => {
          calls += 1;
          if (calls > 1) throw new Error('tree 7 exploded at /secret/path.ts:12');
          return fakeResponse(request);
        }),
    });

    const reply = await invoke(server, syntheticInvocationRequest({ candidates: 3 }));
    const after = await invoke(server, syntheticInvocationRequest({ candidates: 3 }));

    expect(reply.statusCode).toBe(500);
    const { error } = reply.json();
    expect(error.code).toBe('INTERNAL');
    expect(error.message).toMatch(/^internal error [0-9a-f-]{36}; see the server log$/);
    expect(reply.body).not.toMatch(/exploded|secret|at /);
    const logged = lines
      .map((line) => JSON.parse(line))
      .find((r) => r.message === 'invocation failed');
    expect(logged.error).toBe('tree 7 exploded at /secret/path.ts:12');
    expect(error.message).toContain(logged.error_id);
    expect(after.statusCode).toBe(500);
  });

  test('/ping is 503 while the model loads and 200 with an empty body once warmed up', async () => {
    let release: () => void = () => undefined;
    const loading = new Promise<void>((resolve) => (release = resolve));
    const server = await startServer(
      {
        loadModel: async (directory) => {
          await loading;
          return loadRankingModel(directory);
        },
      },
      false,
    );

    const before = await ping(server);
    const invocation = await invoke(server, syntheticInvocationRequest({ candidates: 2 }));
    release();
    await server.ready;
    const after = await ping(server);

    expect(before.statusCode).toBe(503);
    expect(invocation.statusCode).toBe(503);
    expect(invocation.json().error.code).toBe('MODEL_NOT_READY');
    expect(after.statusCode).toBe(200);
    expect(after.body).toBe('');
    expect(server.state).toBe('ready');
  });

  test('a model whose warm-up gives no probability never becomes ready', async () => {
    const server = await startServer(
      {
        loadModel: async () =>
          fakeModel((request) => {
            const response = fakeResponse(request);
            response.items[0].p_ctr = NaN;
            return response;
          }),
      },
      false,
    );

    await expect(server.ready).rejects.toThrow(/warm-up gave p_ctr NaN for warm-up-seen/);
    expect((await ping(server)).statusCode).toBe(503);
    expect(server.state).toBe('failed');
  });

  test('a missing artifact fails readiness with the artifact error', async () => {
    const server = await startServer({ modelDir: '/nonexistent/model' }, false);
    await expect(server.ready).rejects.toThrow(/\/nonexistent\/model.*does not exist/);
    expect((await ping(server)).statusCode).toBe(503);
  });

  test('logs one JSON line per request with status and latency', async () => {
    const lines: string[] = [];
    const logger = new Logger({}, 'info', { write: (line) => lines.push(line) });
    const server = await readyServer({ logger });

    await invoke(server, '{', {
      'content-type': 'application/json',
      'x-amzn-sagemaker-inference-id': 'abc-1',
    });

    const records = lines.map((line) => JSON.parse(line)).filter((r) => r.message === 'request');
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      method: 'POST',
      path: '/invocations',
      status: 400,
      error_code: 'INVOCATION_INVALID_JSON',
      inference_id: 'abc-1',
    });
    expect(records[0].latency_ms).toBeGreaterThanOrEqual(0);
  });
});

describe('data capture', () => {
  test('writes each invocation as a SageMaker record that reads back as sent', async () => {
    const captureDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gfr-server-capture-'));
    const server = await readyServer({ captureDir, captureEndpointName: 'ranker' });
    const request = syntheticInvocationRequest({ candidates: 4, seed: 9 });
    const body = JSON.stringify(request);

    const reply = await invoke(server, body, {
      'content-type': 'application/json',
      'x-amzn-sagemaker-inference-id': 'inference-77',
    });
    await new Promise((resolve) => setImmediate(resolve));
    await server.capture!.flush();

    const read = await readCaptureRecords(captureDir);
    expect(read.malformedLines).toBe(0);
    expect(read.records).toHaveLength(1);
    const [record] = read.records;
    expect(path.relative(captureDir, record.file)).toMatch(
      /^ranker\/AllTraffic\/\d{4}\/\d{2}\/\d{2}\/\d{2}\/\d{2}-\d{2}-\d{3}-[0-9a-f-]{36}\.jsonl$/,
    );
    expect(record.inferenceId).toBe('inference-77');
    expect(record.input).toEqual({
      observedContentType: 'application/json',
      mode: 'INPUT',
      encoding: 'JSON',
      text: body,
    });
    expect(record.output!.text).toBe(reply.body);
  });

  test('captures none of the invocations at 0 percent', async () => {
    const captureDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gfr-server-capture-'));
    const server = await readyServer({ captureDir, captureSamplePercent: 0 });

    for (let i = 0; i < 5; i += 1)
      await invoke(server, syntheticInvocationRequest({ candidates: 2 }));
    await new Promise((resolve) => setImmediate(resolve));
    await server.capture!.flush();

    expect(server.capture!.stats).toEqual({ sampled: 0, skipped: 5, written: 0, dropped: 0 });
    expect((await readCaptureRecords(captureDir)).records).toHaveLength(0);
  });
});
