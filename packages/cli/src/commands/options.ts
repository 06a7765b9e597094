import { InvalidArgumentError as CommanderArgumentError, Option } from 'commander';

/** Parses a positive integer option value, or tells commander which value was wrong. */
export function parsePositiveInteger(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed <= 0) {
    throw new CommanderArgumentError(`expected a positive integer, got "${value}"`);
  }
  return parsed;
}

/** The `--source` option: which log format the input is in. */
export function sourceOption(): Option {
  return new Option('--source <format>', 'input format').choices([
    'simulator',
    'taobao',
    'rees46',
    'open-bandit',
    'generic',
  ]);
}

/** Parses a non-negative integer option value (a seed, say). */
export function parseNonNegativeInteger(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) {
    throw new CommanderArgumentError(`expected a non-negative integer, got "${value}"`);
  }
  return parsed;
}

/** Parses a share in [0, 1], written as 0.01 or 1%. */
export function parseShare(value: string): number {
  const trimmed = value.trim();
  const parsed = trimmed.endsWith('%') ? Number(trimmed.slice(0, -1)) / 100 : Number(trimmed);
  if (trimmed === '' || !Number.isFinite(parsed) || parsed < 0 || parsed > 1) {
    throw new CommanderArgumentError(
      `expected a share between 0 and 1 (or 0% to 100%), got "${value}"`,
    );
  }
  return parsed;
}
