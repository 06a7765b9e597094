import { captureHourPrefixes } from './capture-layout';

test('lists the hour folders of the window ending with the current hour, oldest first', () => {
  const prefixes = captureHourPrefixes(
    'captures/',
    'gfr-ranker',
    'champion',
    new Date('2026-12-01T01:30:00Z'),
    3,
  );

  expect(prefixes).toEqual([
    'captures/gfr-ranker/champion/2026/11/30/23/',
    'captures/gfr-ranker/champion/2026/12/01/00/',
    'captures/gfr-ranker/champion/2026/12/01/01/',
  ]);
});

test('an empty prefix is the bucket root; hours must be a positive integer', () => {
  expect(captureHourPrefixes('', 'e', 'v', new Date('2026-01-02T03:04:05Z'), 1)).toEqual([
    'e/v/2026/01/02/03/',
  ]);
  expect(() => captureHourPrefixes('', 'e', 'v', new Date(), 0)).toThrow(/positive integer/);
});
