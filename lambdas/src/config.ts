/**
 * The handlers' settings, read once from the environment the stack sets (see
 * {@link HandlerEnvironment}). A missing or malformed variable fails the invocation at once with
 * its name, rather than half-way through a rollout.
 */
import { HandlerEnvironment } from './contract';
import { HandlerConfigurationError } from './errors';

type EnvironmentKey = keyof typeof HandlerEnvironment;

/** Reads environment variables by their contract key, validating as it goes. */
export class HandlerSettings {
  constructor(private readonly env: NodeJS.ProcessEnv = process.env) {}

  /** A required string. */
  text(key: EnvironmentKey): string {
    const name = HandlerEnvironment[key];
    const value = this.env[name];
    if (value === undefined || value.trim() === '') {
      throw new HandlerConfigurationError(name, 'is not set');
    }
    return value.trim();
  }

  /** An optional string; `fallback` when unset or empty. */
  optionalText(key: EnvironmentKey, fallback: string): string {
    const value = this.env[HandlerEnvironment[key]];
    return value === undefined || value.trim() === '' ? fallback : value.trim();
  }

  /** A number within [min, max]; `fallback` when unset. */
  number(key: EnvironmentKey, fallback: number, min = -Infinity, max = Infinity): number {
    const name = HandlerEnvironment[key];
    const text = this.env[name];
    if (text === undefined || text.trim() === '') return fallback;
    const value = Number(text);
    if (!Number.isFinite(value) || value < min || value > max) {
      throw new HandlerConfigurationError(name, `"${text}" is not a number in ${min}–${max}`);
    }
    return value;
  }

  /** A comma-separated list; empty when unset. */
  list(key: EnvironmentKey): string[] {
    return (this.env[HandlerEnvironment[key]] ?? '')
      .split(',')
      .map((part) => part.trim())
      .filter(Boolean);
  }

  /** A JSON object whose values become strings; `{}` when unset. */
  stringRecord(key: EnvironmentKey): Record<string, string> {
    const name = HandlerEnvironment[key];
    const text = this.env[name];
    if (text === undefined || text.trim() === '') return {};
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new HandlerConfigurationError(name, `is not JSON (${(error as Error).message})`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new HandlerConfigurationError(name, 'is not a JSON object');
    }
    return toStringRecord(parsed as Record<string, unknown>, name);
  }
}

/**
 * SageMaker takes hyperparameters as strings only: numbers and booleans become their text,
 * anything else (objects, null) is refused with its key.
 */
export function toStringRecord(
  values: Record<string, unknown>,
  source: string,
): Record<string, string> {
  const record: Record<string, string> = {};
  for (const [key, value] of Object.entries(values)) {
    if (typeof value === 'string') record[key] = value;
    else if (typeof value === 'number' && Number.isFinite(value)) record[key] = String(value);
    else if (typeof value === 'boolean') record[key] = String(value);
    else {
      throw new HandlerConfigurationError(
        source,
        `hyperparameter ${key} is ${JSON.stringify(value)}: only strings, numbers and booleans`,
      );
    }
  }
  return record;
}

/** Splits `s3://bucket/key/prefix` into bucket and key. */
export function parseS3Uri(uri: string): { bucket: string; key: string } {
  const match = /^s3:\/\/([^/]+)\/?(.*)$/.exec(uri);
  if (!match) throw new HandlerConfigurationError(uri, 'is not an s3://bucket/key URI');
  return { bucket: match[1], key: match[2] };
}
