/** Severity of a log record, lowest first. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const levelRank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Where structured log lines go; tests and the CLI's `--quiet` swap it. */
export interface LogSink {
  write(line: string): void;
}

/**
 * A structured logger: every record is one JSON line with `time`, `level`, `message` and the
 * fields the caller gives (which object, what happened to it). Writes to stderr by default so
 * that stdout stays free for a command's own output (tables, `--json`).
 */
export class Logger {
  constructor(
    private readonly fields: Record<string, unknown> = {},
    private readonly minimumLevel: LogLevel = (process.env.GFR_LOG_LEVEL as LogLevel) ?? 'info',
    private readonly sink: LogSink = process.stderr,
  ) {}

  /** A logger that adds `fields` to every record, e.g. `{ component: 'ingest' }`. */
  child(fields: Record<string, unknown>): Logger {
    return new Logger({ ...this.fields, ...fields }, this.minimumLevel, this.sink);
  }

  debug(message: string, fields?: Record<string, unknown>): void {
    this.log('debug', message, fields);
  }

  info(message: string, fields?: Record<string, unknown>): void {
    this.log('info', message, fields);
  }

  warn(message: string, fields?: Record<string, unknown>): void {
    this.log('warn', message, fields);
  }

  error(message: string, fields?: Record<string, unknown>): void {
    this.log('error', message, fields);
  }

  private log(level: LogLevel, message: string, fields?: Record<string, unknown>): void {
    if (levelRank[level] < levelRank[this.minimumLevel]) return;
    const record = { time: new Date().toISOString(), level, message, ...this.fields, ...fields };
    this.sink.write(JSON.stringify(record) + '\n');
  }
}

/** A logger that drops everything; the default for library calls made from tests. */
export const silentLogger = new Logger({}, 'error', { write: () => undefined });

/** The process-wide default logger (JSON lines on stderr, level from `GFR_LOG_LEVEL`). */
export const defaultLogger = new Logger({ service: 'gfr' });
