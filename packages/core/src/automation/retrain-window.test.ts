import { InvalidArgumentError } from '../errors';
import { InsufficientDataError } from './errors';
import { computeRetrainWindow, eventDaySpan, retrainJobName } from './retrain-window';

const settings = { trainDays: 10, validationDays: 2, testDays: 2, gapHours: 6 };

describe('computeRetrainWindow', () => {
  test('lays the windows out backwards from the last whole hour of the data, with gaps', () => {
    const window = computeRetrainWindow(
      new Date('2026-11-01T00:00:00Z'),
      new Date('2026-12-03T17:42:10Z'),
      settings,
    );

    expect(window).toEqual({
      testEnd: '2026-12-03T17:00:00.000Z',
      testStart: '2026-12-01T17:00:00.000Z',
      validationStart: '2026-11-29T11:00:00.000Z',
      trainStart: '2026-11-19T05:00:00.000Z',
      gapHours: 6,
    });
  });

  test('shortens training to the data present down to half its length', () => {
    const window = computeRetrainWindow(
      new Date('2026-11-22T00:00:00Z'),
      new Date('2026-12-03T00:00:00Z'),
      settings,
    );

    expect(window.trainStart).toBe('2026-11-22T00:00:00.000Z');
    expect(window.validationStart).toBe('2026-11-28T18:00:00.000Z');
  });

  test('refuses data shorter than the windows need, saying how long each is', () => {
    const run = () =>
      computeRetrainWindow(
        new Date('2026-11-27T00:00:00Z'),
        new Date('2026-12-03T00:00:00Z'),
        settings,
      );

    expect(run).toThrow(InsufficientDataError);
    expect(run).toThrow(/spans 6\.0 days .* need 14\.5 days \(10 train, 2 validation, 2 test/);
  });

  test('names every invalid setting at once', () => {
    const run = () =>
      computeRetrainWindow(new Date(0), new Date(1e12), {
        trainDays: 0,
        validationDays: 2,
        testDays: -1,
        gapHours: -2,
      });

    expect(run).toThrow(InvalidArgumentError);
    expect(run).toThrow(/trainDays .* got 0; testDays .* got -1; gapHours .* got -2/);
  });
});

describe('retrainJobName', () => {
  const window = {
    trainStart: '2026-11-01T00:00:00.000Z',
    validationStart: '2026-11-20T00:00:00.000Z',
    testStart: '2026-11-25T00:00:00.000Z',
    testEnd: '2026-12-03T17:00:00.000Z',
    gapHours: 0,
  };

  test('is the group and the test end hour, the same for the same window', () => {
    expect(retrainJobName('gfr-ranker', window)).toBe('gfr-ranker-2026120317');
    expect(retrainJobName('gfr-ranker', { ...window })).toBe(retrainJobName('gfr-ranker', window));
    expect(retrainJobName('gfr-ranker', { ...window, testEnd: '2026-12-03T18:00:00.000Z' })).toBe(
      'gfr-ranker-2026120318',
    );
  });

  test('is SageMaker-legal: illegal characters become hyphens, long groups are cut', () => {
    const name = retrainJobName(`__my.ranker_group__${'x'.repeat(80)}`, window);

    expect(name).toMatch(/^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/);
    expect(name.length).toBeLessThanOrEqual(63);
    expect(name.startsWith('my-ranker-group-xxx')).toBe(true);
    expect(name.endsWith('-2026120317')).toBe(true);
  });

  test('refuses a group with nothing to name a job with', () => {
    expect(() => retrainJobName('___', window)).toThrow(/has no letter or digit/);
  });
});

describe('eventDaySpan', () => {
  test('spans the first to the day after the last date partition, ignoring other keys', () => {
    const span = eventDaySpan([
      'data/events/dt=2026-11-30/part-0.parquet',
      'data/items.parquet',
      'data/events/dt=2026-11-02/part-0.parquet',
      'data/events/date=2026-11-15/part-1.parquet',
    ]);

    expect(span).toEqual({
      start: new Date('2026-11-02T00:00:00Z'),
      end: new Date('2026-12-01T00:00:00Z'),
    });
  });

  test('is null when no key has a day', () => {
    expect(eventDaySpan(['data/events.parquet'])).toBeNull();
  });
});
