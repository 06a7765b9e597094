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
