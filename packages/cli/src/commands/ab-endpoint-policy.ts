import * as path from 'node:path';
import { MessageChannel, MessagePort, Worker, receiveMessageOnPort } from 'node:worker_threads';
import { GfrError, LogLevel, experiment, simulator } from '@gfr/core';

import { EndpointWorkerData, RankAnswer, RankCall } from './ab-endpoint-protocol';

/** How long one ranking may take before the simulation gives up. */
const callTimeoutMs = 30_000;

/** The endpoint worker failed to start, timed out, or answered with an error. */
export class EndpointPolicyError extends GfrError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('AB_ENDPOINT_POLICY', message, options);
  }
}

/**
 * Loads the worker entry: the compiled `.js`, or under jest the `.ts` source through
 * `@swc/core` (a development dependency), as the GBDT's worker pool does.
 */
const bootstrap = `
const { workerData } = require('node:worker_threads');
const Module = require('node:module');
const entry = workerData.entry;
if (entry.endsWith('.ts')) {
  const fs = require('node:fs');
  const swc = Module.createRequire(entry)('@swc/core');
  Module._extensions['.ts'] = function (module, filename) {
    const output = swc.transformSync(fs.readFileSync(filename, 'utf8'), {
      filename,
      jsc: { target: 'es2022', parser: { syntax: 'typescript' } },
      module: { type: 'commonjs' },
    });
    module._compile(output.code, filename);
  };
}
require(entry);
`;

/**
 * The trained model as an arm of the simulated experiment: a feed policy that sends each
 * request's candidates (drawn from the marketplace's channels) through the typed client to the
 * local endpoint and shows the ranked items. The marketplace's run loop is synchronous and the
 * client is not, so the client and the endpoint live in a worker thread and every call blocks
 * on an `Atomics.wait` until the worker's answer is on the port (the pattern of synckit):
 * the main thread only waits for the HTTP exchange it would have awaited anyway.
 */
export class EndpointFeedPolicy implements simulator.FeedPolicy {
  readonly name = 'model';
  /** Calls whose client-side assignment differed from the simulation's (expected: 0). */
  assignmentDisagreements = 0;
  /** The production variant the client sent as TargetVariant on the last call. */
  lastTargetVariant: string | null = null;
  private readonly itemIndex = new Map<string, number>();
  private sequence = 0;

  private constructor(
    private readonly worker: Worker,
    private readonly port: MessagePort,
    private readonly signal: Int32Array,
    private readonly quotas: experiment.CandidateQuotas,
  ) {}

  /** Starts the worker (endpoint and client) and resolves once the endpoint is ready. */
  static async start(options: {
    modelDir: string;
    storeFile: string;
    definition: experiment.ExperimentDefinition;
    logLevel: LogLevel;
    quotas?: experiment.CandidateQuotas;
  }): Promise<{ policy: EndpointFeedPolicy; endpoint: string }> {
    const channel = new MessageChannel();
    const signal = new Int32Array(new SharedArrayBuffer(4));
    const entry = path.join(__dirname, `ab-endpoint-worker${path.extname(__filename)}`);
    const data: EndpointWorkerData & { entry: string } = {
      entry,
      modelDir: options.modelDir,
      storeFile: options.storeFile,
      definition: options.definition,
      signal: signal.buffer as SharedArrayBuffer,
      port: channel.port2,
      logLevel: options.logLevel,
    };
    const worker = new Worker(bootstrap, {
      eval: true,
      workerData: data,
      transferList: [channel.port2],
    });
    const endpoint = await new Promise<string>((resolve, reject) => {
      worker.once('message', (message: { ready?: string; failed?: string }) =>
        message.ready
          ? resolve(message.ready)
          : reject(new EndpointPolicyError(`the local endpoint did not start: ${message.failed}`)),
      );
      worker.once('error', (error) =>
        reject(new EndpointPolicyError('the endpoint worker failed', { cause: error })),
      );
    });
    const quotas = options.quotas ?? experiment.defaultCandidateQuotas;
    return { policy: new EndpointFeedPolicy(worker, channel.port1, signal, quotas), endpoint };
  }

  rank(request: simulator.FeedRequest): simulator.ShownItem[] {
    if (this.itemIndex.size === 0)
      request.items.forEach((item) => this.itemIndex.set(item.id, item.index));
    const pool = experiment.candidatePool(request, this.quotas);
    if (pool.length === 0) return [];
    const call: Omit<RankCall, 'sequence'> = {
      userId: request.user.id,
      requestId: request.id,
      timeSeconds: request.timeMs / 1000,
      k: request.feedSize,
      candidates: pool.map(({ item, channel }) => ({ item_id: request.items[item].id, channel })),
    };
    const answer = this.call(call);
    if ('error' in answer) {
      throw new EndpointPolicyError(
        `ranking request ${request.id} failed: ${answer.error.name}: ${answer.error.message}`,
      );
    }
    if (answer.variant !== this.name) this.assignmentDisagreements++;
    this.lastTargetVariant = answer.targetVariant;
    return answer.items.map((item, index) => ({
      item: request.items[this.itemIndex.get(item.item_id)!],
      position: index + 1,
      channel: item.channel as simulator.CandidateChannel,
      propensity: 1,
    }));
  }

  /** Stops the endpoint and the worker. */
  async close(): Promise<void> {
    this.port.postMessage('close');
    await new Promise((resolve) => setTimeout(resolve, 50));
    await this.worker.terminate();
  }

  /**
   * Sends one call and blocks until its answer. The worker stores the call's sequence number
   * after posting the answer, so a late wake-up meant for the previous call (its notify can
   * land after this call began waiting) is recognised and waited through.
   */
  private call(call: Omit<RankCall, 'sequence'>): RankAnswer {
    this.sequence = (this.sequence % 2_000_000_000) + 1;
    const sequence = this.sequence;
    this.port.postMessage({ ...call, sequence });
    const deadline = performance.now() + callTimeoutMs;
    for (;;) {
      const current = Atomics.load(this.signal, 0);
      if (current === sequence) break;
      const remaining = deadline - performance.now();
      if (remaining <= 0) {
        throw new EndpointPolicyError(
          `the endpoint did not answer request ${call.requestId} within ${callTimeoutMs} ms`,
        );
      }
      Atomics.wait(this.signal, 0, current, remaining);
    }
    const received = receiveMessageOnPort(this.port);
    if (!received) {
      throw new EndpointPolicyError(`the endpoint worker lost the answer to ${call.requestId}`);
    }
    return received.message as RankAnswer;
  }
}
