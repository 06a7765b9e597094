import { InvalidArgumentError as CommanderArgumentError, Option } from 'commander';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InputNotFoundError } from '@gfr/core';

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

/**
 * The absolute path of an input given on the command line, or {@link InputNotFoundError} saying
 * what to do next when nothing is there, such as `no such file or folder: logs.csv — pass
 * --input PATH of a taobao log (file or folder), or run gfr simulate --out DIR for simulated
 * tables`. `missing` words the first half (default: `no such file or folder: <given>`).
 */
export function requireInput(given: string, nextStep: string, missing?: string): string {
  const resolved = path.resolve(given);
  if (!fs.existsSync(resolved)) {
    const problem = missing ?? `no such file or folder: ${given}`;
    throw new InputNotFoundError(resolved, `${problem} — ${nextStep}`);
  }
  return resolved;
}

/** What to do next when `--input` names nothing, for a log in format `source`. */
export function inputHint(source: string): string {
  return (
    `pass --input PATH of a ${source} log (file or folder), or run ` +
    '`gfr simulate --out DIR` for simulated tables'
  );
}

/** The absolute path of `--model`, or an error saying where artifacts come from. */
export function requireModel(given: string): string {
  return requireInput(
    given,
    'pass --model OUT/model (or OUT/model.tar.gz) written by `gfr train --out OUT`, or run ' +
      '`gfr quickstart` first',
    `model artifact ${path.resolve(given)}: does not exist`,
  );
}
