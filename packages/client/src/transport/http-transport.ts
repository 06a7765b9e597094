import {
  EndpointError,
  EndpointTimeoutError,
  EndpointUnavailableError,
  MalformedResponseError,
  ModelError,
  PayloadTooLargeError,
  ThrottlingError,
  validationErrorFromBody,
} from './errors';
import {
  EndpointTransport,
  InvokeOptions,
  RetryingCaller,
  TransportResponse,
  TransportSettings,
  checkInvokeOptions,
  maximumPayloadBytes,
  serializeBody,
  withTimeout,
} from './transport';

/** Default timeout of one HTTP invocation: a local server answers in milliseconds. */
export const defaultHttpTimeoutMs = 15_000;

/** Options of {@link HttpTransport}. */
export interface HttpTransportOptions extends TransportSettings {
  /** Base URL of the server, e.g. `http://127.0.0.1:8080`; `/invocations` is appended. */
  url: string;
  /** The fetch to use (default: Node's global fetch). */
  fetch?: typeof fetch;
}

/** Connection failures worth another attempt: nothing reached the model. */
const connectionCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/**
 * Invokes the container's HTTP contract directly (`POST <url>/invocations`), as `gfr serve`
 * or `docker run <image> serve` expose it on one machine. Statuses map to the same typed
 * errors as on SageMaker, where a container's own failure arrives as ModelError: 400 and 422
 * are a ValidationError naming the field, 413 PayloadTooLargeError, 429 ThrottlingError
 * (retried), 500 and other 4xx a ModelError (not retried: a crashing model crashes again),
 * 502/503/504 and refused connections EndpointUnavailableError (retried).
 */
export class HttpTransport implements EndpointTransport {
  private readonly invocationsUrl: string;
  private readonly caller: RetryingCaller;
  private readonly timeoutMs: number;
  private readonly fetch: typeof fetch;

  constructor(options: HttpTransportOptions) {
    this.invocationsUrl = `${options.url.replace(/\/+$/, '')}/invocations`;
    this.caller = new RetryingCaller(options);
    this.timeoutMs = options.timeoutMs ?? defaultHttpTimeoutMs;
    this.fetch = options.fetch ?? fetch;
  }

  async invoke(body: unknown, options: InvokeOptions = {}): Promise<TransportResponse> {
    checkInvokeOptions(options);
    const payload = serializeBody(body);
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    const headers: Record<string, string> = {
      'Content-Type': 'application/json',
      Accept: 'application/json',
    };
    if (options.variant) headers['X-Amzn-SageMaker-Target-Variant'] = options.variant;
    if (options.inferenceId) headers['X-Amzn-SageMaker-Inference-Id'] = options.inferenceId;
    if (options.customAttributes !== undefined) {
      headers['X-Amzn-SageMaker-Custom-Attributes'] = options.customAttributes;
    }

    return this.caller.call(() =>
      withTimeout(
        timeoutMs,
        async (signal) => {
          let response: Response;
          let text: string;
          try {
            response = await this.fetch(this.invocationsUrl, {
              method: 'POST',
              headers,
              body: payload,
              signal,
            });
            text = await response.text();
          } catch (error) {
            throw connectionError(error, this.invocationsUrl, timeoutMs);
          }
          if (!response.ok) throw statusError(response.status, text, payload.length);
          let parsed: unknown;
          try {
            parsed = JSON.parse(text);
          } catch (error) {
            throw new MalformedResponseError(`not JSON: ${JSON.stringify(text.slice(0, 200))}`, {
              cause: error,
            });
          }
          return {
            body: parsed,
            variant: response.headers.get('x-amzn-invoked-production-variant') ?? undefined,
            customAttributes:
              response.headers.get('x-amzn-sagemaker-custom-attributes') ?? undefined,
          };
        },
        () => new EndpointTimeoutError(timeoutMs),
      ),
    );
  }
}

function connectionError(error: unknown, url: string, timeoutMs: number): EndpointError {
  const failure = error as { name?: string; message?: string; cause?: { code?: string } };
  if (failure.name === 'TimeoutError' || failure.name === 'AbortError') {
    return new EndpointTimeoutError(timeoutMs, { cause: error });
  }
  const code = failure.cause?.code ?? '';
  const reason = connectionCodes.has(code) ? code : (failure.message ?? String(error));
  // Node's fetch reports every network failure as "fetch failed"; whatever it was, the
  // request never produced an answer, and invocations are safe to repeat (pure scoring).
  return new EndpointUnavailableError(`cannot reach ${url}: ${reason}`, undefined, {
    cause: error,
  });
}

function statusError(status: number, text: string, bytes: number): EndpointError {
  const excerpt = text.slice(0, 500);
  if (status === 400 || status === 422) return validationErrorFromBody(text);
  // The server's limit may be lower than SageMaker's; the body is what it refused.
  if (status === 413) return new PayloadTooLargeError(bytes, maximumPayloadBytes);
  if (status === 429) return new ThrottlingError(`endpoint answered 429: ${excerpt}`);
  if (status === 502 || status === 503 || status === 504) {
    return new EndpointUnavailableError(`endpoint answered ${status}: ${excerpt}`, status);
  }
  return new ModelError(`the model server answered ${status}: ${excerpt}`, {
    originalStatusCode: status,
    originalMessage: text,
  });
}
