import { GfrError, InvalidArgumentError, Logger, withOutputLock } from '@gfr/core';

/** Options every command accepts. */
export interface GlobalOptions {
  /** Print one JSON document on stdout instead of human-readable text. */
  json?: boolean;
  /** Print nothing but errors (and the JSON document with --json). */
  quiet?: boolean;
  /** Print debug logs (JSON lines on stderr). */
  verbose?: boolean;
}

/**
 * The command's logger: JSON lines on stderr, warnings and errors only unless --verbose, so that
 * progress bars and results stay readable.
 */
export function commandLogger(options: GlobalOptions): Logger {
  return new Logger({ service: 'gfr' }, options.verbose ? 'debug' : 'warn');
}

/** Prints a command's result: JSON on stdout with --json, else the human text unless --quiet. */
export function printResult(options: GlobalOptions, result: unknown, human: () => string): void {
  if (options.json) {
    process.stdout.write(JSON.stringify(result, null, 2) + '\n');
    return;
  }
  if (!options.quiet) process.stdout.write(human() + '\n');
}

/** Exit codes of the gfr command: 3 means `gfr drift` found drift beyond its thresholds. */
export const exitCodes = { ok: 0, failure: 1, usage: 2, drift: 3 } as const;

/**
 * Reports a failure on stderr in one line a person can act on (a JSON object with --json) and
 * returns the exit code: 2 for invalid arguments, 1 for everything else.
 */
export function reportFailure(error: unknown, options: GlobalOptions): number {
  // A system error (ENOENT, ENOTDIR, EACCES, ...) names its path; its stack helps nobody.
  const known = error instanceof GfrError || isSystemError(error);
  const code =
    error instanceof InvalidArgumentError || isInvalidConfiguration(error)
      ? exitCodes.usage
      : exitCodes.failure;
  const message =
    error instanceof Error
      ? error.message + (isSystemError(error) ? systemErrorHint(error.code) : '')
      : String(error);
  if (options.json) {
    const code =
      error instanceof GfrError ? error.code : isSystemError(error) ? error.code : 'INTERNAL';
    const body = { error: { code, message } };
    process.stderr.write(JSON.stringify(body) + '\n');
  } else {
    process.stderr.write(`gfr: ${message}\n`);
    if (!known && error instanceof Error && error.stack) process.stderr.write(error.stack + '\n');
  }
  return code;
}

/** Errors whose code says a setting given by the user is invalid (e.g. `SIMULATOR_INVALID_CONFIG`). */
function isInvalidConfiguration(error: unknown): boolean {
  return (
    error instanceof GfrError && /INVALID_(CONFIG|ARGUMENT|OPTION|PARAMETER)$/.test(error.code)
  );
}

/** What to do about the system errors a user's paths and ports cause. */
const systemErrorHints: Record<string, string> = {
  ENOTDIR: 'a part of the path is a file, not a folder; choose a path under folders',
  EEXIST: 'a file is where gfr must create a folder; choose another path or move the file',
  EISDIR: 'a folder is where gfr writes a file; give a file path',
  EADDRINUSE: 'another process holds the port; pass another --port or stop that process',
  EACCES: 'permission denied; choose a path you may write, or change its permissions',
  EPERM: 'operation not permitted; choose a path you may write, or change its permissions',
  ENOSPC: 'the disk is full; free space or write to another disk',
};

function systemErrorHint(code: string): string {
  const hint = systemErrorHints[code];
  return hint ? ` (${hint})` : '';
}

function isSystemError(error: unknown): error is Error & { code: string } {
  const code = (error as { code?: unknown } | null)?.code;
  return error instanceof Error && typeof code === 'string' && /^E[A-Z]+$/.test(code);
}

/** Formats a number for tables: 4 decimals, or '—' when missing. */
export function formatMetric(value: unknown): string {
  return typeof value === 'number' && Number.isFinite(value) ? value.toFixed(4) : '—';
}

/**
 * Runs a command's work holding the lock on its output (see `acquireOutputLock`): a second gfr
 * run on the same output is refused with the holder's pid instead of interleaving its files.
 */
export function whileHoldingOutput<T>(
  output: string,
  command: string,
  work: () => Promise<T>,
): Promise<T> {
  return withOutputLock(output, `gfr ${command}`, () => work());
}
