import { GfrError } from '@gfr/core';

/**
 * One error class per way an invocation can fail (infra-pitfalls P13), so that callers decide
 * by type: retry later, fix the request, page someone, or fall back to a default feed.
 * `retryable` says whether the transport itself retried it (with backoff, boundedly);
 * `attempts` how many tries were made before it surfaced.
 */
export abstract class EndpointError extends GfrError {
  /** Whether the failure is transient and the transports retry it. */
  abstract readonly retryable: boolean;
  /** Attempts made before this error surfaced (1 when it was not retried). */
  attempts = 1;
}

/**
 * The model container failed: SageMaker's `ModelError` (HTTP 424) or, over HTTP, a 500 or an
 * unexpected 4xx from the container. Not retried: a request that breaks the model breaks it
 * again, and retrying only multiplies the load.
 */
export class ModelError extends EndpointError {
  readonly retryable = false;

  constructor(
    message: string,
    readonly details: {
      /** Status the container answered with. */
      originalStatusCode?: number;
      /** Body the container answered with. */
      originalMessage?: string;
      /** CloudWatch log stream of the container (SageMaker only). */
      logStreamArn?: string;
    },
    options?: { cause?: unknown },
  ) {
    super('ENDPOINT_MODEL_ERROR', message, options);
  }
}

/** The endpoint (or SageMaker's API) throttled the call. Retried with backoff. */
export class ThrottlingError extends EndpointError {
  readonly retryable = true;

  constructor(message: string, options?: { cause?: unknown }) {
    super('ENDPOINT_THROTTLED', message, options);
  }
}

/**
 * The request was refused as invalid (HTTP 400), by this client before sending, by the
 * endpoint's schema check (which names the field, e.g. `candidates[3].price`), or by SageMaker
 * (unknown endpoint or variant). Not retried.
 */
export class ValidationError extends EndpointError {
  readonly retryable = false;

  constructor(
    /** Who refused it. */
    readonly source: 'client' | 'endpoint' | 'sagemaker',
    /** JSON path of the offending field, when the refusal names one. */
    readonly field: string | undefined,
    /** What is wrong with it. */
    readonly problem: string,
    options?: { cause?: unknown },
  ) {
    super(
      'ENDPOINT_VALIDATION',
      `request refused by the ${source}: ${field ? `${field}: ` : ''}${problem}`,
      options,
    );
  }
}

/** No answer within the per-call timeout. Not retried: a slow model is not made faster by load. */
export class EndpointTimeoutError extends EndpointError {
  readonly retryable = false;

  constructor(
    readonly timeoutMs: number,
    options?: { cause?: unknown },
  ) {
    super('ENDPOINT_TIMEOUT', `no answer from the endpoint within ${timeoutMs} ms`, options);
  }
}

/** The serialized body exceeds the 6 MiB invocation limit; refused before sending. */
export class PayloadTooLargeError extends EndpointError {
  readonly retryable = false;

  constructor(
    readonly bytes: number,
    readonly limitBytes: number,
  ) {
    super(
      'ENDPOINT_PAYLOAD_TOO_LARGE',
      `request body is ${bytes} bytes, over the endpoint's limit of ${limitBytes} bytes: ` +
        'send fewer candidates',
    );
  }
}

/**
 * The endpoint could not be reached or is not serving: connection refused or reset, 502/503/
 * 504, SageMaker's ServiceUnavailable, InternalFailure or ModelNotReady. Retried.
 */
export class EndpointUnavailableError extends EndpointError {
  readonly retryable = true;

  constructor(
    message: string,
    readonly statusCode?: number,
    options?: { cause?: unknown },
  ) {
    super('ENDPOINT_UNAVAILABLE', message, options);
  }
}

/** The caller may not invoke the endpoint (credentials missing, expired or not allowed). */
export class EndpointAccessError extends EndpointError {
  readonly retryable = false;

  constructor(message: string, options?: { cause?: unknown }) {
    super('ENDPOINT_ACCESS_DENIED', message, options);
  }
}

/** The endpoint answered 2xx with a body that is not the version-1 response. */
export class MalformedResponseError extends EndpointError {
  readonly retryable = false;

  constructor(message: string, options?: { cause?: unknown }) {
    super('ENDPOINT_MALFORMED_RESPONSE', `endpoint response: ${message}`, options);
  }
}

/** A failure none of the other classes describes; carries the original error as `cause`. */
export class EndpointRequestError extends EndpointError {
  readonly retryable = false;

  constructor(message: string, options?: { cause?: unknown }) {
    super('ENDPOINT_REQUEST_FAILED', message, options);
  }
}

/**
 * Reads the field and problem out of the endpoint's 400 body. The inference server answers
 * `{"error": {"code", "message", "field"?}}`; older or foreign servers may put `field` and
 * `message` at the top level or only say `invalid request: <field>: <problem>`, which is what
 * core's `InvocationValidationError` message looks like.
 */
export function validationErrorFromBody(
  text: string,
  options?: { cause?: unknown },
): ValidationError {
  let field: string | undefined;
  let message = text.trim() || 'bad request';
  try {
    const parsed = JSON.parse(text) as Record<string, unknown>;
    const error = (
      typeof parsed.error === 'object' && parsed.error !== null ? parsed.error : parsed
    ) as Record<string, unknown>;
    if (typeof error.field === 'string') field = error.field;
    if (typeof error.message === 'string') message = error.message;
    else if (typeof parsed.message === 'string') message = parsed.message;
  } catch {
    // Not JSON: the raw text is the message.
  }
  const named = /^invalid request: ([^:]+): (.*)$/s.exec(message);
  if (named) {
    field ??= named[1] === '(body)' ? undefined : named[1];
    message = named[2];
  }
  return new ValidationError('endpoint', field, message, options);
}
