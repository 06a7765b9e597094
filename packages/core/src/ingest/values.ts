/**
 * Strict parsers for the values found in logs. They return `undefined` instead of guessing:
 * `Number('')` is 0 and `Number('0x1A')` is 26, neither of which a log means.
 */

const integerPattern = /^[+-]?\d+$/;
/** Unix time: digits with an optional fraction (RE2-compatible, also used in DuckDB SQL). */
export const unixNumberSource = String.raw`\d+(\.\d+)?`;
/** A date-time as {@link parseDateTime} accepts it (RE2-compatible, also used in DuckDB SQL). */
export const dateTimeSource =
  String.raw`(\d{4})-(\d{2})-(\d{2})(?:[T ]([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d)(\.\d+)?)?)?` +
  String.raw` ?(Z|UTC|[+-]\d{2}(?::?\d{2})?)?`;
/** A decimal number as {@link parseDecimal} accepts it (RE2-compatible). */
export const decimalSource = String.raw`[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?`;

const decimalPattern = new RegExp(`^${decimalSource}$`);
const unixNumberPattern = new RegExp(`^${unixNumberSource}$`);
const dateTimePattern = new RegExp(`^${dateTimeSource}$`);

/** Earliest accepted event time (1970-01-01T00:00:00Z), in ms since the epoch. */
export const earliestTimestampMs = 0;
/** First rejected event time (2100-01-01T00:00:00Z): later values are typos or wrong units. */
export const latestTimestampMs = Date.UTC(2100, 0, 1);
/**
 * Unix times at or above this are milliseconds, below it seconds. 1e11 seconds is the year 5138,
 * 1e11 milliseconds is 1973-03-03, so any time between 1973 and 2100 is told apart correctly.
 */
export const unixMillisecondsThreshold = 1e11;

/** A whole number written in decimal digits, or `undefined`. */
export function parseInteger(text: string): number | undefined {
  if (!integerPattern.test(text)) return undefined;
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : undefined;
}

/** A finite decimal number (`12`, `-0.5`, `1.5e-3`), or `undefined`. */
export function parseDecimal(text: string): number | undefined {
  if (!decimalPattern.test(text)) return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}

/**
 * A calendar date-time as ms since the epoch, or `undefined`. Accepts `YYYY-MM-DD`, then
 * optionally `T` or a space and `HH:MM[:SS[.fraction]]`, then optionally a zone: `Z`, ` UTC`,
 * `+hh`, `+hhmm` or `+hh:mm`. A missing zone means UTC. Fractions finer than a millisecond are
 * truncated, because canonical timestamps are held as JavaScript dates.
 */
export function parseDateTime(text: string): number | undefined {
  const match = dateTimePattern.exec(text);
  if (!match) return undefined;
  const [, year, month, day, hour = '0', minute = '0', second = '0', fraction, zone] = match;
  const fields = [year, month, day, hour, minute, second].map(Number);
  const [y, mo, d, h, mi, s] = fields;
  // Digits rather than floating point: Number('.29') * 1000 is not exactly 290.
  const milliseconds = fraction ? Number((fraction.slice(1) + '00').slice(0, 3)) : 0;
  const local = Date.UTC(y, mo - 1, d, h, mi, s, milliseconds);

  // Date.UTC rolls 2019-02-30 over to March; a round trip catches impossible dates and times.
  const check = new Date(local);
  if (
    check.getUTCFullYear() !== y ||
    check.getUTCMonth() !== mo - 1 ||
    check.getUTCDate() !== d ||
    check.getUTCHours() !== h ||
    check.getUTCMinutes() !== mi ||
    check.getUTCSeconds() !== s
  ) {
    return undefined;
  }
  return local - zoneOffsetMs(zone);
}

function zoneOffsetMs(zone: string | undefined): number {
  if (zone === undefined || zone === 'Z' || zone === 'UTC') return 0;
  const sign = zone[0] === '-' ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
  return sign * (hours * 60 + minutes) * 60_000;
}

/** Unix seconds (a whole number) as ms since the epoch, or `undefined`. */
export function parseUnixSeconds(text: string): number | undefined {
  const seconds = parseInteger(text);
  return seconds === undefined ? undefined : seconds * 1000;
}

/**
 * A timestamp of the generic format as ms since the epoch: ISO 8601 (see {@link parseDateTime})
 * or unix time, told apart by {@link unixMillisecondsThreshold}. Returns a reason when it fails.
 */
export function parseFlexibleTimestamp(text: string): { ms: number } | { error: string } {
  let ms: number | undefined;
  if (unixNumberPattern.test(text)) {
    const value = Number(text);
    ms = value >= unixMillisecondsThreshold ? Math.floor(value) : Math.floor(value * 1000);
  } else {
    ms = parseDateTime(text);
  }
  if (ms === undefined) {
    return {
      error: `unparsable timestamp '${text}' (expected ISO 8601 or unix seconds/milliseconds)`,
    };
  }
  return checkTimestampRange(ms, text);
}

/** Rejects times before 1970 or from 2100 on, which are typos or a wrong unit, not real events. */
export function checkTimestampRange(ms: number, text: string): { ms: number } | { error: string } {
  if (ms < earliestTimestampMs || ms >= latestTimestampMs) {
    return { error: `timestamp '${text}' is outside 1970-01-01 .. 2099-12-31` };
  }
  return { ms };
}
