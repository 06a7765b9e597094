/**
 * Base class of every error gfr raises on purpose. Each failure mode has its own subclass so
 * that callers (the CLI, the server, the Lambda handlers) can map it to an exit code or a
 * status without parsing messages; `cause` keeps the underlying error when there is one.
 */
export class GfrError extends Error {
  /** Stable machine-readable code, e.g. `INGEST_TOO_MANY_BAD_ROWS`. */
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** A command-line or API argument is invalid; the message names the argument and its value. */
export class InvalidArgumentError extends GfrError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('INVALID_ARGUMENT', message, options);
  }
}

/** An input file or folder does not exist or cannot be read. */
export class InputNotFoundError extends GfrError {
  /** `message` replaces the default "input not found or unreadable: <path>". */
  constructor(
    readonly path: string,
    message?: string,
    options?: { cause?: unknown },
  ) {
    super('INPUT_NOT_FOUND', message ?? `input not found or unreadable: ${path}`, options);
  }
}
