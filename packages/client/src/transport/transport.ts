import {
  RandomSource,
  RetryPolicy,
  Sleep,
  backoffDelay,
  realSleep,
  resolveRetryPolicy,
} from '../retry';
import { EndpointError, PayloadTooLargeError, ValidationError } from './errors';

/** Largest request body an endpoint accepts: 6 MiB (SageMaker's and the container's limit). */
export const maximumPayloadBytes = 6 * 1024 * 1024;

/** Per-call settings of {@link EndpointTransport.invoke}; every field is optional. */
export interface InvokeOptions {
  /** Production variant to route to (SageMaker `TargetVariant`); default: weighted routing. */
  variant?: string;
  /** Identifier recorded with the call in Data Capture, 1–64 characters. */
  inferenceId?: string;
  /** Opaque attributes for the container, at most 1024 visible ASCII characters. */
  customAttributes?: string;
  /** Timeout of each attempt, milliseconds; default: the transport's. */
  timeoutMs?: number;
}

/** What an endpoint answered. */
export interface TransportResponse {
  /** The parsed JSON body. */
  body: unknown;
  /** The production variant that answered, when the endpoint says. */
  variant?: string;
  /** Custom attributes the container set on its response, when any. */
  customAttributes?: string;
}

/**
 * A way to reach the ranker endpoint. Implementations send `application/json`, refuse bodies
 * over {@link maximumPayloadBytes} before sending, map every failure to an
 * {@link EndpointError} subclass, and retry only the retryable ones, boundedly.
 */
export interface EndpointTransport {
  /** Sends a body (an object is serialized to JSON; a string is sent as is). */
  invoke(body: unknown, options?: InvokeOptions): Promise<TransportResponse>;

  /** Releases sockets the transport opened itself; optional. */
  close?(): void;
}

/** Settings every transport shares. */
export interface TransportSettings {
  /** Retries of throttling and unavailability (default 3 attempts, 100 ms base delay). */
  retry?: Partial<RetryPolicy>;
  /** Timeout of each attempt, milliseconds. */
  timeoutMs?: number;
  sleep?: Sleep;
  random?: RandomSource;
}

/**
 * The request body as bytes, checked against the size limit AFTER serialization (the limit is
 * on bytes on the wire, and JSON of non-ASCII ids is longer than its character count).
 */
export function serializeBody(body: unknown): Buffer {
  const bytes =
    body instanceof Uint8Array
      ? Buffer.from(body)
      : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body), 'utf8');
  if (bytes.length > maximumPayloadBytes) {
    throw new PayloadTooLargeError(bytes.length, maximumPayloadBytes);
  }
  return bytes;
}

/** Checks the options SageMaker would refuse, before anything is sent. */
export function checkInvokeOptions(options: InvokeOptions): void {
  const { inferenceId, customAttributes, timeoutMs } = options;
  if (inferenceId !== undefined && !/^[\x21-\x7e]{1,64}$/.test(inferenceId)) {
    throw new ValidationError(
      'client',
      'inferenceId',
      `must be 1 to 64 visible ASCII characters, got ${JSON.stringify(inferenceId)}`,
    );
  }
  if (customAttributes !== undefined && !/^[\x20-\x7e]{0,1024}$/.test(customAttributes)) {
    throw new ValidationError(
      'client',
      'customAttributes',
      `must be at most 1024 visible ASCII characters (got ${customAttributes.length})`,
    );
  }
  if (timeoutMs !== undefined && !(timeoutMs > 0)) {
    throw new ValidationError('client', 'timeoutMs', `must be positive, got ${timeoutMs}`);
  }
}

/** The retry loop of a transport: its policy, how it waits and its random draws. */
export class RetryingCaller {
  readonly policy: RetryPolicy;
  private readonly sleep: Sleep;
  private readonly random: RandomSource;

  constructor(settings: TransportSettings) {
    this.policy = resolveRetryPolicy(settings.retry);
    this.sleep = settings.sleep ?? realSleep;
    this.random = settings.random ?? Math.random;
  }

  /**
   * Calls `attempt` until it succeeds, fails with a non-retryable error, or the attempts run
   * out; waits a full-jitter backoff between tries. Errors that are not {@link EndpointError}s
   * are bugs and pass through untouched.
   */
  async call<T>(attempt: (number: number) => Promise<T>): Promise<T> {
    for (let number = 1; ; number++) {
      try {
        return await attempt(number);
      } catch (error) {
        if (!(error instanceof EndpointError)) throw error;
        error.attempts = number;
        if (!error.retryable || number >= this.policy.maxAttempts) throw error;
        await this.sleep(backoffDelay(number, this.policy, this.random));
      }
    }
  }
}

/**
 * Runs `work` with an AbortSignal that fires after `timeoutMs`, and rejects with `onTimeout()`
 * at that moment even if `work` ignores the signal (a stuck socket, a mocked client).
 */
export async function withTimeout<T>(
  timeoutMs: number,
  work: (signal: AbortSignal) => Promise<T>,
  onTimeout: () => Error,
): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(onTimeout());
    }, timeoutMs);
  });
  try {
    return await Promise.race([work(controller.signal), expired]);
  } finally {
    clearTimeout(timer);
  }
}
