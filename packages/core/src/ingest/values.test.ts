import {
  parseDateTime,
  parseDecimal,
  parseFlexibleTimestamp,
  parseInteger,
  parseUnixSeconds,
} from './values';

test.each([
  ['2019-10-01 00:00:00 UTC', '2019-10-01T00:00:00.000Z'],
  ['2019-11-24 00:03:13.442536+00:00', '2019-11-24T00:03:13.442Z'],
  ['2019-11-24T02:03:13+02:00', '2019-11-24T00:03:13.000Z'],
  ['2019-11-24T02:03:13+0200', '2019-11-24T00:03:13.000Z'],
  ['2019-11-23T22:03:13-02', '2019-11-24T00:03:13.000Z'],
  ['2019-11-24T00:03:13.29Z', '2019-11-24T00:03:13.290Z'],
  ['2019-11-24T00:03', '2019-11-24T00:03:00.000Z'],
  ['2019-11-24', '2019-11-24T00:00:00.000Z'],
])('date-time %s is %s', (text, iso) => {
  expect(new Date(parseDateTime(text) as number).toISOString()).toBe(iso);
});

test.each(['2019-02-30', '2019-13-01 00:00:00', '2019-10-01 24:00:00', '01/10/2019', '', 'now'])(
  'impossible or foreign date-time %p is rejected',
  (text) => {
    expect(parseDateTime(text)).toBeUndefined();
  },
);

test('numbers are parsed strictly: no empty strings, hex or stray spaces', () => {
  expect(parseInteger('42')).toBe(42);
  expect(parseInteger('')).toBeUndefined();
  expect(parseInteger('0x1A')).toBeUndefined();
  expect(parseInteger('4.0')).toBeUndefined();
  expect(parseDecimal('-1.5e-3')).toBe(-0.0015);
  expect(parseDecimal(' 1')).toBeUndefined();
  expect(parseDecimal('1,5')).toBeUndefined();
  expect(parseUnixSeconds('1511544070')).toBe(1511544070000);
});

test('unix seconds and milliseconds are told apart by magnitude', () => {
  expect(parseFlexibleTimestamp('1511544070')).toEqual({ ms: 1511544070000 });
  expect(parseFlexibleTimestamp('1511544070123')).toEqual({ ms: 1511544070123 });
  expect(parseFlexibleTimestamp('1511544070.5')).toEqual({ ms: 1511544070500 });
  expect(parseFlexibleTimestamp('2017-11-24T17:21:10Z')).toEqual({ ms: 1511544070000 });
});

test('timestamps outside 1970 .. 2099 and unparsable ones get a reason', () => {
  expect(parseFlexibleTimestamp('2100-01-01T00:00:00Z')).toEqual({
    error: "timestamp '2100-01-01T00:00:00Z' is outside 1970-01-01 .. 2099-12-31",
  });
  expect(parseFlexibleTimestamp('yesterday')).toEqual({
    error: "unparsable timestamp 'yesterday' (expected ISO 8601 or unix seconds/milliseconds)",
  });
});
