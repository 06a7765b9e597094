import { randomUUID } from 'node:crypto';
import {
  BlendSettings,
  ChannelName,
  GfrError,
  InvocationRequestInput,
  InvocationResponse,
  InvocationValidationError,
  Logger,
  experiment,
  parseInvocationRequest,
  silentLogger,
} from '@gfr/core';

import { defaultChannelQuotas } from './feature-store/candidates';
import { CandidateReference, ChannelQuotas, OnlineFeatureStore } from './feature-store/types';
import { buildInvocationRequest } from './request-builder';
import { parseInvocationResponse } from './response';
import { MalformedResponseError, ValidationError } from './transport/errors';
import { EndpointTransport, InvokeOptions } from './transport/transport';

/** Settings a {@link FeedRanker} applies to every call unless the call overrides them. */
export interface FeedRankerDefaults {
  /** Items per feed (default 10). */
  k?: number;
  /** Candidates asked from each channel (default {@link defaultChannelQuotas}). */
  quotas?: ChannelQuotas;
  /** Blending rules sent with every request (default: the endpoint's defaults). */
  blend?: Partial<BlendSettings>;
  /** Production variant to route to (default: SageMaker's weighted routing). */
  variant?: string;
  /**
   * The moment a feed is ranked for when the call names none: `endpoint` (default) lets the
   * endpoint use its clock, as production wants; `store` ranks just after the store's last
   * event, as replaying a historical log wants (otherwise every decayed count has decayed).
   */
  time?: 'endpoint' | 'store';
  /**
   * Validate requests against the version-1 schema before sending (default false for
   * {@link FeedRanker.rank}, whose requests are built from the store). It costs about 11 ms per
   * 300 candidates, and the endpoint validates anyway.
   */
  validateRequests?: boolean;
}

/** Where a {@link FeedRanker} records the feeds it served in an experiment. */
export interface ExposureRecorder {
  /** Records one exposure; `ExperimentLogWriter` of `@gfr/core` appends it to the JSONL log. */
  writeExposure(record: experiment.ExposureRecord): void | Promise<void>;
}

/** The experiment a {@link FeedRanker} assigns users to. */
export interface FeedExperiment {
  /** The deterministic assignment (same user, same arm, in every process). */
  assigner: experiment.ExperimentAssigner;
  /** Where exposures go; without one, feeds are assigned but not recorded. */
  exposures?: ExposureRecorder;
}

/** Options of the {@link FeedRanker} constructor. */
export interface FeedRankerOptions {
  store: OnlineFeatureStore;
  transport: EndpointTransport;
  defaults?: FeedRankerDefaults;
  logger?: Logger;
  /** Request ids for calls that bring none (default: random UUIDs). */
  newRequestId?: () => string;
  /**
   * An experiment: each call assigns the user, sends the arm's production variant as
   * `TargetVariant` (unless the call names a variant itself) and records the exposure.
   */
  experiment?: FeedExperiment;
  /** The clock of exposure times, epoch milliseconds (default `Date.now`). */
  clock?: () => number;
}

/** Per-call context that is not about the user. */
export interface RankContext {
  /** Epoch seconds to rank for (overrides the `time` default). */
  time?: number;
  /** The caller's request id (1–64 visible ASCII characters); also the Data Capture id. */
  requestId?: string;
  /** Opaque attributes passed to the container (at most 1024 visible ASCII characters). */
  customAttributes?: string;
}

/** What to rank. */
export interface RankParameters {
  userId: string;
  /** Items to return (default: the ranker's `k`). */
  k?: number;
  context?: RankContext;
  /** Production variant for this call. */
  variant?: string;
  /** Blending rules for this call, merged over the ranker's. */
  blend?: Partial<BlendSettings>;
  /** Candidates per channel for this call, merged over the ranker's. */
  quotas?: ChannelQuotas;
  /**
   * The candidates to rank, when the caller gathered them itself (its own retrieval, or a
   * simulation's channels); default: the store's channels with {@link quotas}.
   */
  candidates?: readonly CandidateReference[];
}

/** One item of a ranked feed. */
export interface FeedItem {
  item_id: string;
  channel: ChannelName;
  /** 1-based position. */
  position: number;
  /** Calibrated probability of a click. */
  p_ctr: number;
  /** Calibrated probability of a purchase after a click (1 when the model has no such head). */
  p_cvr: number;
  /** The ranking objective the feed is ordered by. */
  score: number;
}

/** A ranked feed. */
export interface RankedFeedResult {
  items: FeedItem[];
  modelVersion: string;
  /** The production variant that answered, when the endpoint says (SageMaker does). */
  variant: string | null;
  requestId: string;
  /** Candidates sent to the endpoint. */
  candidates: number;
  /** False when the store had no record of the user (a cold start). */
  userKnown: boolean;
  /** Milliseconds spent reading the store and waiting for the endpoint. */
  timings: { storeMs: number; endpointMs: number };
  /** The user's experiment arm, when the ranker runs an experiment and assigned this call. */
  assignment: experiment.Assignment | null;
}

/** What {@link FeedRanker.invoke} returns. */
export interface InvocationResult {
  response: InvocationResponse;
  variant: string | null;
  customAttributes: string | null;
}

/** The store proposed no candidate for the user (an empty store or all items bought). */
export class NoCandidatesError extends GfrError {
  constructor(readonly userId: string) {
    super('NO_CANDIDATES', `no candidate items for user "${userId}": the store offers none`);
  }
}

/**
 * Ranks a user's feed in one call: candidates from the four channels and the user's and the
 * items' features from the online store, a version-1 invocation, and the endpoint's answer
 * checked and typed. Endpoint failures arrive as the transport's typed errors.
 */
export class FeedRanker {
  private readonly store: OnlineFeatureStore;
  private readonly transport: EndpointTransport;
  private readonly defaults: FeedRankerDefaults;
  private readonly logger: Logger;
  private readonly newRequestId: () => string;
  private readonly experiment: FeedExperiment | null;
  private readonly clock: () => number;

  constructor(options: FeedRankerOptions) {
    this.store = options.store;
    this.transport = options.transport;
    this.defaults = options.defaults ?? {};
    this.logger = options.logger ?? silentLogger;
    this.newRequestId = options.newRequestId ?? randomUUID;
    this.experiment = options.experiment ?? null;
    this.clock = options.clock ?? Date.now;
  }

  /** Ranks the feed of `userId`. */
  async rank(parameters: RankParameters): Promise<RankedFeedResult> {
    const { userId, context = {} } = parameters;
    const k = parameters.k ?? this.defaults.k ?? 10;
    if (typeof userId !== 'string' || userId === '') {
      throw new ValidationError('client', 'userId', 'must be a non-empty string');
    }
    if (!Number.isInteger(k) || k <= 0) {
      throw new ValidationError('client', 'k', `must be a positive whole number, got ${k}`);
    }
    const quotas = { ...(this.defaults.quotas ?? defaultChannelQuotas), ...parameters.quotas };
    const requestId = context.requestId ?? this.newRequestId();
    const started = performance.now();

    // An explicit variant wins over the experiment: the call is then outside the experiment.
    const assignment =
      this.experiment && parameters.variant === undefined
        ? this.experiment.assigner.assign(userId)
        : null;
    const user = await this.store.getUser(userId);
    const [candidates, global] = await Promise.all([
      parameters.candidates
        ? Promise.resolve([...parameters.candidates])
        : this.store.getCandidates(userId, quotas, user),
      this.store.getGlobal(),
    ]);
    if (candidates.length === 0) throw new NoCandidatesError(userId);
    const items = await this.store.getItems(candidates.map((candidate) => candidate.item_id));
    const storeMs = performance.now() - started;

    const time =
      context.time ??
      (this.defaults.time === 'store' && global.as_of !== null ? global.as_of + 1 : undefined);
    const blend =
      this.defaults.blend || parameters.blend
        ? { ...this.defaults.blend, ...parameters.blend }
        : undefined;
    const request = buildInvocationRequest({
      user,
      candidates,
      items,
      global,
      k,
      time,
      requestId,
      blend,
    });

    const { response, variant } = await this.send(
      request,
      {
        variant: assignment?.targetVariant ?? parameters.variant ?? this.defaults.variant,
        inferenceId: requestId,
        customAttributes: context.customAttributes,
      },
      this.defaults.validateRequests ?? false,
    );
    const endpointMs = performance.now() - started - storeMs;

    const offered = new Set(candidates.map((candidate) => candidate.item_id));
    const stranger = response.items.find((item) => !offered.has(item.item_id));
    if (stranger) {
      throw new MalformedResponseError(`item ${stranger.item_id} was not among the candidates`);
    }
    if (response.items.length > k) {
      throw new MalformedResponseError(`${response.items.length} items returned for k = ${k}`);
    }
    this.logger.debug('feed ranked', {
      userId,
      requestId,
      candidates: candidates.length,
      items: response.items.length,
      modelVersion: response.model_version,
      variant,
      storeMs,
      endpointMs,
    });
    const servedRequestId = response.request_id ?? requestId;
    if (assignment) await this.recordExposure(assignment, servedRequestId, response.items);
    return {
      items: response.items,
      modelVersion: response.model_version,
      variant,
      requestId: servedRequestId,
      candidates: candidates.length,
      userKnown: user.known,
      timings: { storeMs, endpointMs },
      assignment,
    };
  }

  /**
   * Records the served feed. A recorder failure does not fail the feed (the user already waits
   * for it) but is logged at error level with the request, so the gap in the log is visible.
   */
  private async recordExposure(
    assignment: experiment.Assignment,
    requestId: string,
    items: readonly { item_id: string; position: number }[],
  ): Promise<void> {
    const recorder = this.experiment?.exposures;
    if (!recorder) return;
    try {
      await recorder.writeExposure({
        type: 'exposure',
        experiment: assignment.experiment,
        user_id: assignment.userId,
        variant: assignment.variant,
        request_id: requestId,
        time: new Date(this.clock()).toISOString(),
        items: items.map(({ item_id, position }) => ({ item_id, position })),
      });
    } catch (error) {
      this.logger.error('exposure not recorded', {
        experiment: assignment.experiment,
        requestId,
        error: String(error),
      });
    }
  }

  /**
   * Sends a ready-made request and checks the answer. The request is validated against the
   * version-1 schema first (a {@link ValidationError} from `client` naming the field) unless
   * `validate` is false.
   */
  async invoke(
    request: InvocationRequestInput,
    options: InvokeOptions & { validate?: boolean } = {},
  ): Promise<InvocationResult> {
    const { validate = true, ...invokeOptions } = options;
    return this.send(request, invokeOptions, validate);
  }

  private async send(
    request: InvocationRequestInput,
    options: InvokeOptions,
    validate: boolean,
  ): Promise<InvocationResult> {
    if (validate) {
      try {
        parseInvocationRequest(request);
      } catch (error) {
        if (!(error instanceof InvocationValidationError)) throw error;
        throw new ValidationError('client', error.field, error.problem, { cause: error });
      }
    }
    const answer = await this.transport.invoke(request, options);
    return {
      response: parseInvocationResponse(answer.body),
      variant: answer.variant ?? null,
      customAttributes: answer.customAttributes ?? null,
    };
  }
}
