import { GfrError } from '../errors';
import { InvocationRequest, invocationRequestSchema } from './schema';

/** An invocation request breaks the schema; `field` is the JSON path of the first problem. */
export class InvocationValidationError extends GfrError {
  constructor(
    readonly field: string,
    readonly problem: string,
  ) {
    super('INVOCATION_INVALID', `invalid request: ${field || '(body)'}: ${problem}`);
  }
}

/**
 * Validates a parsed request body against the version 1 schema and applies its defaults.
 * Throws {@link InvocationValidationError} naming the first offending field, for example
 * `candidates[3].price: Too small: expected number to be >=0`.
 */
export function parseInvocationRequest(body: unknown): InvocationRequest {
  const parsed = invocationRequestSchema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new InvocationValidationError(formatPath(issue.path), issue.message);
}

function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((part, index) =>
      typeof part === 'number' ? `[${part}]` : `${index === 0 ? '' : '.'}${String(part)}`,
    )
    .join('');
}
