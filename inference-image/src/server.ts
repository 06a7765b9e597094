import { randomUUID } from 'node:crypto';
import Fastify, { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  InvocationRequest,
  InvocationValidationError,
  Logger,
  defaultLogger,
  parseInvocationRequest,
} from '@gfr/core';

import { mediaType } from './capture-format';
import { DataCaptureWriter } from './capture-writer';
import { ModelNotReadyError, ServeConfigurationError } from './errors';
import { RankingModel, loadRankingModel, warmUp } from './ranking-model';

/** SageMaker's limit on request and response bodies: 6 MiB. */
export const maximumBodyBytes = 6 * 1024 * 1024;

/** The response header SageMaker hands back to the caller as `CustomAttributes`. */
export const customAttributesHeader = 'x-amzn-sagemaker-custom-attributes';

/** The request header carrying the caller's `InferenceId`, recorded by Data Capture. */
export const inferenceIdHeader = 'x-amzn-sagemaker-inference-id';

/** Where the model is in its life: loading, serving, or failed to load or warm up. */
export type ModelState = 'loading' | 'ready' | 'failed';

/** Options of {@link createRankerServer}. */
export interface RankerServerOptions {
  /** The artifact: a folder such as /opt/ml/model, or a model.tar.gz. */
  modelDir: string;
  /** Root of local Data Capture; capture is off when absent. */
  captureDir?: string;
  /** Share of invocations captured, percent 0–100. @default 100 */
  captureSamplePercent?: number;
  /** Endpoint and variant levels of the capture key. @default 'local-endpoint', 'AllTraffic' */
  captureEndpointName?: string;
  captureVariantName?: string;
  /** One JSON line per request (status, latency) and the server's events. @default stderr */
  logger?: Logger;
  /** Loads the model; tests stand in slow or failing models. @default loadRankingModel */
  loadModel?: (modelDir: string) => Promise<RankingModel>;
  /** The clock in epoch milliseconds, for the ranking time. @default Date.now */
  clock?: () => number;
  /**
   * Most `/invocations` requests this process holds at once (received, not yet answered); the
   * next one gets 503 `OVERLOADED` with `Retry-After` at once, before its body is read.
   * @default GFR_MAX_IN_FLIGHT, else {@link defaultMaxInFlight}
   */
  maxInFlight?: number;
  /**
   * Longest a request may wait in this process before scoring starts, in ms; past it the
   * request gets 503 `QUEUE_DEADLINE_EXCEEDED` unscored (its caller has likely given up).
   * @default GFR_QUEUE_DEADLINE_MS, else {@link defaultQueueDeadlineMs}
   */
  queueDeadlineMs?: number;
  /**
   * Longest a client may take to send one request, headers and body, in ms; a slower one gets
   * 408 and its connection closed, so that stalled clients cannot hold the in-flight slots.
   * @default GFR_REQUEST_TIMEOUT_MS, else {@link defaultRequestTimeoutMs}
   */
  requestTimeoutMs?: number;
}

/**
 * Default bound on requests in flight per process. Scoring 500 candidates takes about 7 ms of
 * CPU (docs/hardening.md), so 32 waiting requests are about a quarter second of queue: enough
 * to absorb bursts, far below a caller's patience. Beyond it more queue only adds latency.
 */
export const defaultMaxInFlight = 32;

/** Default queue deadline in ms: a request waiting longer is answered 503 unscored. */
export const defaultQueueDeadlineMs = 1_000;

/**
 * Default time to receive a whole request, in ms. SageMaker's front end sends the body at once,
 * and 6 MiB arrive in milliseconds on its network; ten seconds is ample for that and short
 * against a caller's 60 s invocation timeout.
 */
export const defaultRequestTimeoutMs = 10_000;

/** Seconds a shed caller is told to wait (`Retry-After`). */
export const retryAfterSeconds = 1;

/** A ranker server: fastify app plus the model's state. */
export interface RankerServer {
  /** The fastify instance (use `app.inject` in tests). */
  readonly app: FastifyInstance;
  /** Resolves once the model is loaded and warmed up; rejects with why it could not be. */
  readonly ready: Promise<void>;
  /** The model's state now. */
  readonly state: ModelState;
  /** The local capture writer, null when capture is off. */
  readonly capture: DataCaptureWriter | null;
  /** Starts listening; resolves to the address, such as `http://127.0.0.1:8080`. */
  listen(options: { port: number; host: string }): Promise<string>;
  /** Stops accepting, lets in-flight requests finish, then flushes capture. */
  close(): Promise<void>;
}

/** The JSON error body of every non-200 answer of /invocations. */
export interface ErrorBody {
  error: { code: string; message: string; field?: string };
}

/**
 * Creates the SageMaker-compatible ranker server. The model loads in the background: the
 * server may listen at once (SageMaker needs the socket early) and answers `GET /ping` with 503
 * until both heads are loaded and a warm-up prediction succeeded, then 200 with an empty body.
 * `POST /invocations` takes the version 1 JSON request and returns the ranked feed; every bad
 * input gets a 4xx JSON error naming the problem, and an internal fault a 500 without details.
 */
export function createRankerServer(options: RankerServerOptions): RankerServer {
  const logger = (options.logger ?? defaultLogger).child({ component: 'server' });
  const clock = options.clock ?? Date.now;
  const capture = options.captureDir
    ? new DataCaptureWriter({
        directory: options.captureDir,
        samplePercent: options.captureSamplePercent,
        endpointName: options.captureEndpointName,
        variantName: options.captureVariantName,
        logger,
      })
    : null;

  const maxInFlight =
    options.maxInFlight ??
    readPositiveInteger('GFR_MAX_IN_FLIGHT', process.env.GFR_MAX_IN_FLIGHT, defaultMaxInFlight);
  const queueDeadlineMs =
    options.queueDeadlineMs ??
    readPositiveInteger(
      'GFR_QUEUE_DEADLINE_MS',
      process.env.GFR_QUEUE_DEADLINE_MS,
      defaultQueueDeadlineMs,
    );
  const requestTimeoutMs =
    options.requestTimeoutMs ??
    readPositiveInteger(
      'GFR_REQUEST_TIMEOUT_MS',
      process.env.GFR_REQUEST_TIMEOUT_MS,
      defaultRequestTimeoutMs,
    );
  checkPositiveInteger('maxInFlight', maxInFlight);
  checkPositiveInteger('queueDeadlineMs', queueDeadlineMs);
  checkPositiveInteger('requestTimeoutMs', requestTimeoutMs);

  let state: ModelState = 'loading';
  let closing = false;
  const pendingCaptures = new Set<Promise<void>>();
  let model: RankingModel | null = null;
  const ready = (async () => {
    const loaded = await (options.loadModel ?? loadRankingModel)(options.modelDir);
    warmUp(loaded, clock() / 1000);
    model = loaded;
    state = 'ready';
    logger.info('model ready', { model_version: loaded.modelVersion, heads: loaded.heads });
  })().catch((error: unknown) => {
    state = 'failed';
    logger.error('model failed to load', { model_dir: options.modelDir, error: String(error) });
    throw error instanceof ModelNotReadyError
      ? error
      : new ModelNotReadyError(`cannot serve ${options.modelDir}: ${errorMessage(error)}`, {
          cause: error,
        });
  });
  // Callers may never await `ready`; its failure is logged and shows in /ping.
  ready.catch(() => undefined);

  const app = Fastify({
    logger: false,
    bodyLimit: maximumBodyBytes,
    // Requests that arrive while closing are answered below, in this server's error shape.
    return503OnClosing: false,
    requestTimeout: requestTimeoutMs,
    // Node checks request timeouts every connectionsCheckingInterval (30 s by default), which
    // would let a stalled client hold its slot three times longer than the timeout says.
    http: {
      requestTimeout: requestTimeoutMs,
      headersTimeout: requestTimeoutMs,
      connectionsCheckingInterval: Math.min(1_000, requestTimeoutMs),
    },
  });
  const errorCodes = new WeakMap<FastifyRequest, string>();
  const fail = (request: FastifyRequest, reply: FastifyReply, status: number, body: ErrorBody) => {
    errorCodes.set(request, body.error.code);
    return reply.code(status).type('application/json').send(JSON.stringify(body));
  };

  // Bodies stay raw bytes: the handler parses JSON itself (to word its errors) and Data
  // Capture stores exactly what arrived.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  app.get('/ping', async (_request, reply) => {
    return reply.code(state === 'ready' ? 200 : 503).send();
  });

  // Load shedding: Node takes every connection the kernel hands it, so without a bound the
  // queue (and the memory of the bodies in it) grows until callers time out while their
  // requests are still scored. Counted from onRequest, before the body is read; released when
  // the response closes, answered or abandoned. /ping is never shed (SageMaker's health check).
  let inFlight = 0;
  app.addHook('onRequest', async (request, reply) => {
    if (closing) {
      reply.header('retry-after', String(retryAfterSeconds));
      return fail(request, reply, 503, {
        error: {
          code: 'SHUTTING_DOWN',
          message: `this server is stopping; retry after ${retryAfterSeconds} s`,
        },
      });
    }
    if (request.method !== 'POST' || request.routeOptions.url !== '/invocations') return;
    if (inFlight >= maxInFlight) {
      reply.header('retry-after', String(retryAfterSeconds));
      return fail(request, reply, 503, {
        error: {
          code: 'OVERLOADED',
          message:
            `${inFlight} requests in flight, the limit of this server process ` +
            `(maxInFlight / GFR_MAX_IN_FLIGHT = ${maxInFlight}); retry after ` +
            `${retryAfterSeconds} s`,
        },
      });
    }
    inFlight += 1;
    reply.raw.once('close', () => {
      inFlight -= 1;
    });
  });

  // The queue deadline counts from the body's arrival: a slow upload is the client's time, and
  // refusing it would only make the client send it again.
  const bodyReceivedAt = new WeakMap<FastifyRequest, number>();
  app.addHook('preValidation', async (request, reply) => {
    bodyReceivedAt.set(request, reply.elapsedTime);
  });

  app.post('/invocations', async (request, reply) => {
    const waitedMs = reply.elapsedTime - (bodyReceivedAt.get(request) ?? 0);
    if (waitedMs > queueDeadlineMs) {
      reply.header('retry-after', String(retryAfterSeconds));
      return fail(request, reply, 503, {
        error: {
          code: 'QUEUE_DEADLINE_EXCEEDED',
          message:
            `the request waited ${Math.round(waitedMs)} ms before scoring, more than ` +
            `queueDeadlineMs / GFR_QUEUE_DEADLINE_MS = ${queueDeadlineMs}; retry after ` +
            `${retryAfterSeconds} s`,
        },
      });
    }
    if (!model) {
      return fail(request, reply, 503, {
        error: { code: 'MODEL_NOT_READY', message: `the model is ${state}; retry after /ping` },
      });
    }
    const contentType = request.headers['content-type'];
    if (!contentType || mediaType(contentType) !== 'application/json') {
      const given = contentType ? `"${contentType}"` : 'is missing; it';
      return fail(request, reply, 415, {
        error: {
          code: 'UNSUPPORTED_MEDIA_TYPE',
          message: `Content-Type ${given} must be application/json`,
        },
      });
    }
    const accept = request.headers.accept;
    if (accept && !/(^|,)\s*(application\/json|application\/\*|\*\/\*)\s*(;|,|$)/i.test(accept)) {
      return fail(request, reply, 406, {
        error: { code: 'NOT_ACCEPTABLE', message: `Accept "${accept}" excludes application/json` },
      });
    }

    const body = (request.body as Buffer | undefined) ?? Buffer.alloc(0);
    const parsed = parseBody(body);
    if ('error' in parsed) return fail(request, reply, 400, parsed);

    const inferenceId = readInferenceId(request);
    const response = model.rank(parsed.request, clock() / 1000);
    const text = JSON.stringify(response);
    reply
      .header(customAttributesHeader, customAttributes(response.model_version, response.request_id))
      .type('application/json');
    if (capture) {
      // After the reply is on its way: serializing the record must not delay it.
      const time = new Date();
      const captured = new Promise<void>((resolve) =>
        setImmediate(() => {
          capture.capture({
            input: { contentType, body },
            output: { contentType: 'application/json', body: text },
            inferenceId,
            time,
          });
          resolve();
        }),
      );
      pendingCaptures.add(captured);
      void captured.then(() => pendingCaptures.delete(captured));
    }
    return reply.send(text);
  });

  app.setNotFoundHandler((request, reply) =>
    fail(request, reply, 404, {
      error: {
        code: 'NOT_FOUND',
        message: `no route ${request.method} ${request.url}: use GET /ping or POST /invocations`,
      },
    }),
  );

  app.setErrorHandler((error: Error & { code?: string; statusCode?: number }, request, reply) => {
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return fail(request, reply, 413, {
        error: {
          code: 'PAYLOAD_TOO_LARGE',
          message: `request body exceeds ${maximumBodyBytes} bytes (6 MiB, SageMaker's limit)`,
        },
      });
    }
    if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      const header = String(request.headers['content-type'] ?? '');
      return fail(request, reply, 415, {
        error: {
          code: 'UNSUPPORTED_MEDIA_TYPE',
          message: `Content-Type "${header}" must be application/json`,
        },
      });
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      return fail(request, reply, status, {
        error: { code: error.code ?? 'BAD_REQUEST', message: error.message },
      });
    }
    // The caller gets an id to quote; the details stay in the server log.
    const errorId = randomUUID();
    logger.error('invocation failed', {
      error_id: errorId,
      error: errorMessage(error),
      stack: error.stack,
    });
    return fail(request, reply, 500, {
      error: { code: 'INTERNAL', message: `internal error ${errorId}; see the server log` },
    });
  });

  // Node's server.close() closes the connections idle at that moment only; a keep-alive
  // connection whose request is still running would otherwise hold the shutdown open.
  app.addHook('onSend', async (_request, reply) => {
    if (closing) reply.header('connection', 'close');
  });

  // Debug only: lets a test (or an operator) see that a request is in flight.
  app.addHook('onRequest', async (request) => {
    logger.debug('request received', { method: request.method, path: request.url });
  });

  app.addHook('onResponse', async (request, reply) => {
    const fields = {
      method: request.method,
      path: request.url,
      status: reply.statusCode,
      latency_ms: Math.round(reply.elapsedTime * 1000) / 1000,
      ...(errorCodes.has(request) ? { error_code: errorCodes.get(request) } : {}),
      ...(request.headers[inferenceIdHeader]
        ? { inference_id: String(request.headers[inferenceIdHeader]) }
        : {}),
    };
    if (request.url === '/ping') logger.debug('request', fields);
    else logger.info('request', fields);
  });

  return {
    app,
    ready,
    get state() {
      return state;
    },
    capture,
    async listen({ port, host }) {
      if (!Number.isInteger(port) || port < 0 || port > 65_535) {
        throw new ServeConfigurationError(`port must be an integer in 0–65535, got ${port}`);
      }
      const address = await app.listen({ port, host });
      logger.info('listening', { address, model_dir: options.modelDir });
      return address;
    },
    async close() {
      closing = true;
      await app.close();
      await Promise.all(pendingCaptures);
      await capture?.close();
      logger.info('server closed', capture ? { capture: capture.stats } : {});
    },
  };
}

function readPositiveInteger(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) {
    throw new ServeConfigurationError(`${name} must be a positive integer, got "${text}"`);
  }
  return value;
}

function checkPositiveInteger(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new ServeConfigurationError(`${name} must be a positive integer, got ${value}`);
  }
}

function parseBody(body: Buffer): { request: InvocationRequest } | ErrorBody {
  if (body.length === 0) {
    return { error: { code: 'INVOCATION_INVALID_JSON', message: 'the request body is empty' } };
  }
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch (error) {
    return {
      error: {
        code: 'INVOCATION_INVALID_JSON',
        message: `the request body is not valid JSON: ${errorMessage(error)}`,
      },
    };
  }
  try {
    return { request: parseInvocationRequest(json) };
  } catch (error) {
    if (!(error instanceof InvocationValidationError)) throw error;
    return { error: { code: error.code, field: error.field, message: error.message } };
  }
}

/** The caller's inference id when it is one SageMaker would accept (1–64 characters). */
function readInferenceId(request: FastifyRequest): string | undefined {
  const value = request.headers[inferenceIdHeader];
  return typeof value === 'string' && value.length >= 1 && value.length <= 64 ? value : undefined;
}

/**
 * `model_version=…;request_id=…`: SageMaker forwards at most 1,024 visible ASCII characters, so
 * values are percent-encoded and the whole is cut at that length.
 */
export function customAttributes(modelVersion: string, requestId: string | null): string {
  const pairs = [`model_version=${encodeURIComponent(modelVersion)}`];
  if (requestId !== null) pairs.push(`request_id=${encodeURIComponent(requestId)}`);
  return pairs.join(';').slice(0, 1024);
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
