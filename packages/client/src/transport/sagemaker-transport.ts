import { InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';

import {
  EndpointAccessError,
  EndpointError,
  EndpointRequestError,
  EndpointTimeoutError,
  EndpointUnavailableError,
  MalformedResponseError,
  ModelError,
  ThrottlingError,
  ValidationError,
  validationErrorFromBody,
} from './errors';
import {
  EndpointTransport,
  InvokeOptions,
  RetryingCaller,
  TransportResponse,
  TransportSettings,
  checkInvokeOptions,
  serializeBody,
  withTimeout,
} from './transport';

/**
 * Default timeout of one SageMaker invocation: SageMaker cuts the container off at 60 s, so
 * the client waits that long plus a margin for the network and SageMaker's own answer.
 */
export const defaultSageMakerTimeoutMs = 65_000;

/** Options of {@link SageMakerTransport}. */
export interface SageMakerTransportOptions extends TransportSettings {
  endpointName: string;
  /**
   * The runtime client. Default: a new client for `region` with the SDK's retries off
   * (`maxAttempts: 1`), so that only this transport's policy decides what is retried.
   */
  client?: SageMakerRuntimeClient;
  region?: string;
}

const throttlingNames = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'RequestLimitExceeded',
]);
const unavailableNames = new Set([
  'ServiceUnavailable',
  'InternalFailure',
  'InternalDependencyException',
  'ModelNotReadyException',
  'TimeoutError',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
]);
const accessNames = new Set([
  'AccessDeniedException',
  'UnrecognizedClientException',
  'ExpiredTokenException',
  'InvalidSignatureException',
  'CredentialsProviderError',
  'MissingAuthenticationTokenException',
]);

/**
 * Invokes a SageMaker real-time endpoint (InvokeEndpoint) with `application/json` in and out,
 * routing to a production variant when asked and reporting the variant that answered.
 */
export class SageMakerTransport implements EndpointTransport {
  private readonly client: SageMakerRuntimeClient;
  private readonly caller: RetryingCaller;
  private readonly timeoutMs: number;

  constructor(private readonly options: SageMakerTransportOptions) {
    this.client =
      options.client ?? new SageMakerRuntimeClient({ region: options.region, maxAttempts: 1 });
    this.caller = new RetryingCaller(options);
    this.timeoutMs = options.timeoutMs ?? defaultSageMakerTimeoutMs;
  }

  async invoke(body: unknown, options: InvokeOptions = {}): Promise<TransportResponse> {
    checkInvokeOptions(options);
    const payload = serializeBody(body);
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;

    return this.caller.call(async () => {
      const output = await withTimeout(
        timeoutMs,
        (abortSignal) =>
          this.client
            .send(
              new InvokeEndpointCommand({
                EndpointName: this.options.endpointName,
                Body: payload,
                ContentType: 'application/json',
                Accept: 'application/json',
                TargetVariant: options.variant,
                InferenceId: options.inferenceId,
                CustomAttributes: options.customAttributes,
              }),
              { abortSignal },
            )
            .catch((error: unknown) => {
              throw sageMakerError(error, timeoutMs);
            }),
        () => new EndpointTimeoutError(timeoutMs),
      );
      return {
        body: parseJsonBody(output.Body),
        variant: output.InvokedProductionVariant,
        customAttributes: output.CustomAttributes,
      };
    });
  }

  /** Releases the client's sockets when this transport created it. */
  close(): void {
    if (!this.options.client) this.client.destroy();
  }
}

/** Parses a response body (bytes) as JSON or says why it cannot. */
export function parseJsonBody(body: Uint8Array | undefined): unknown {
  const text = body ? Buffer.from(body).toString('utf8') : '';
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new MalformedResponseError(`not JSON: ${JSON.stringify(text.slice(0, 200))}`, {
      cause: error,
    });
  }
}

/** Maps an InvokeEndpoint failure to the typed error of its failure mode. */
export function sageMakerError(error: unknown, timeoutMs: number): EndpointError {
  if (error instanceof EndpointError) return error;
  const failure = error as {
    name?: string;
    code?: string;
    message?: string;
    $fault?: string;
    $metadata?: { httpStatusCode?: number };
    OriginalStatusCode?: number;
    OriginalMessage?: string;
    LogStreamArn?: string;
  };
  const name = failure.name ?? '';
  const message = `${name}: ${failure.message ?? String(error)}`;
  const status = failure.$metadata?.httpStatusCode;
  const options = { cause: error };

  if (name === 'ModelError') {
    const original = failure.OriginalStatusCode;
    if (original === 400 || original === 422) {
      return validationErrorFromBody(failure.OriginalMessage ?? '', options);
    }
    const logs = failure.LogStreamArn ? ` (logs: ${failure.LogStreamArn})` : '';
    return new ModelError(
      `the model container answered ${original ?? 'an error'}: ` +
        `${failure.OriginalMessage ?? failure.message ?? ''}${logs}`,
      {
        originalStatusCode: original,
        originalMessage: failure.OriginalMessage,
        logStreamArn: failure.LogStreamArn,
      },
      options,
    );
  }
  if (name === 'AbortError') return new EndpointTimeoutError(timeoutMs, options);
  if (throttlingNames.has(name) || status === 429) return new ThrottlingError(message, options);
  if (
    unavailableNames.has(name) ||
    unavailableNames.has(failure.code ?? '') ||
    failure.$fault === 'server' ||
    (status !== undefined && status >= 500)
  ) {
    return new EndpointUnavailableError(message, status, options);
  }
  if (accessNames.has(name) || status === 403) return new EndpointAccessError(message, options);
  if (name === 'ValidationError') {
    return new ValidationError('sagemaker', undefined, failure.message ?? name, options);
  }
  return new EndpointRequestError(message, options);
}
