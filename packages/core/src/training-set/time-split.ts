import { DuckSession } from '../duckdb/database';
import { InvalidArgumentError } from '../errors';

/** Which part of the time split an example belongs to. */
export type SplitPart = 'train' | 'validation' | 'test' | 'gap';

/** How to split examples by time. Shares are of the examples' time quantiles. */
export interface TimeSplitSettings {
  /** Share of examples (by time) for validation (default 0.15). */
  validationShare: number;
  /** Share of examples (by time) for test (default 0.15). */
  testShare: number;
  /** Seconds after each boundary whose examples are dropped (default 0). */
  gapSeconds: number;
}

/** Default split: 70 % train, 15 % validation, 15 % test, no gap. */
export const defaultTimeSplitSettings: TimeSplitSettings = {
  validationShare: 0.15,
  testShare: 0.15,
  gapSeconds: 0,
};

/** The boundaries of a time split, epoch seconds; a part is [start, end). */
export interface TimeSplit {
  validationStart: number;
  testStart: number;
  gapSeconds: number;
}

/**
 * Chooses split boundaries at the time quantiles of `table`'s `t` so that the parts hold about
 * the requested shares; never a random split, so the model is judged on days it never saw.
 */
export async function chooseTimeSplit(
  session: DuckSession,
  table: string,
  settings: TimeSplitSettings,
): Promise<TimeSplit> {
  const { validationShare, testShare, gapSeconds } = settings;
  if (!(validationShare > 0 && testShare > 0 && validationShare + testShare < 1)) {
    throw new InvalidArgumentError(
      `validation share ${validationShare} and test share ${testShare} must be positive and sum below 1`,
    );
  }
  if (!(gapSeconds >= 0)) throw new InvalidArgumentError(`gap ${gapSeconds} s must be >= 0`);
  const trainShare = 1 - validationShare - testShare;
  const [row] = await session.jsonRows(`
    SELECT quantile_disc(t, ${trainShare}) AS validation_start,
           quantile_disc(t, ${trainShare + validationShare}) AS test_start FROM ${table}`);
  const split = {
    validationStart: Number(row.validation_start),
    testStart: Number(row.test_start),
    gapSeconds,
  };
  if (!(split.validationStart < split.testStart)) {
    throw new InvalidArgumentError(
      `the examples span too short a time to split: validation and test would both start at ${new Date(
        split.validationStart * 1000,
      ).toISOString()}`,
    );
  }
  return split;
}

/** SQL expression naming the part of an example with time column `t`. */
export function splitPartSql(split: TimeSplit, column = 't'): string {
  const { validationStart, testStart, gapSeconds } = split;
  return `CASE
    WHEN ${column} < ${validationStart} THEN 'train'
    WHEN ${column} < ${validationStart + gapSeconds} THEN 'gap'
    WHEN ${column} < ${testStart} THEN 'validation'
    WHEN ${column} < ${testStart + gapSeconds} THEN 'gap'
    ELSE 'test' END`;
}
