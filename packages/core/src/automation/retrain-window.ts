/**
 * The time windows of a retraining run and the run's name. Both are pure functions of the data
 * present and the settings, so the schedule, a drift event and a manual start that see the same
 * data name the same run, and the second start is refused instead of training twice.
 */
import { InvalidArgumentError } from '../errors';
import { InsufficientDataError } from './errors';

const hourMilliseconds = 3_600_000;
const dayMilliseconds = 24 * hourMilliseconds;

/** Lengths of the windows; days may be fractional. */
export interface RetrainWindowSettings {
  /** Days of training data (default 28). */
  trainDays: number;
  /** Days of validation data, used for early stopping and calibration (default 3). */
  validationDays: number;
  /** Days of held-out test data the gate compares models on (default 3). */
  testDays: number;
  /** Hours left out before validation and before test, so labels do not leak (default 0). */
  gapHours: number;
}

/** Default windows: 28 days train, 3 validation, 3 test, no gap. */
export const defaultRetrainWindowSettings: RetrainWindowSettings = {
  trainDays: 28,
  validationDays: 3,
  testDays: 3,
  gapHours: 0,
};

/**
 * The half-open windows of one run, ISO 8601 instants: train [trainStart, validationStart −
 * gap), validation [validationStart, testStart − gap), test [testStart, testEnd).
 */
export interface TrainingWindow {
  readonly trainStart: string;
  readonly validationStart: string;
  readonly testStart: string;
  readonly testEnd: string;
  /** The gap before validation and before test, hours. */
  readonly gapHours: number;
}

/**
 * The latest windows the data allows: the test window ends at the last whole hour of the data
 * (`dataEnd` rounded down), and the rest is laid out backwards from there. When the data starts
 * later than the training window would, the training window is shortened to the data, down to
 * half its configured length; below that {@link InsufficientDataError} says how much is missing.
 */
export function computeRetrainWindow(
  dataStart: Date,
  dataEnd: Date,
  settings: RetrainWindowSettings = defaultRetrainWindowSettings,
): TrainingWindow {
  requireSettings(settings);
  if (!(dataStart.getTime() < dataEnd.getTime())) {
    throw new InvalidArgumentError(
      `data start ${dataStart.toISOString()} must be before data end ${dataEnd.toISOString()}`,
    );
  }
  const gap = settings.gapHours * hourMilliseconds;
  const testEnd = Math.floor(dataEnd.getTime() / hourMilliseconds) * hourMilliseconds;
  const testStart = testEnd - settings.testDays * dayMilliseconds;
  const validationStart = testStart - gap - settings.validationDays * dayMilliseconds;
  const fullTrainStart = validationStart - gap - settings.trainDays * dayMilliseconds;
  const trainStart = Math.max(fullTrainStart, dataStart.getTime());
  const trainMilliseconds = validationStart - gap - trainStart;

  if (trainMilliseconds < (settings.trainDays * dayMilliseconds) / 2) {
    const needed = testEnd - fullTrainStart;
    throw new InsufficientDataError(
      `the data spans ${days(dataEnd.getTime() - dataStart.getTime())} days ` +
        `(${dataStart.toISOString()} to ${dataEnd.toISOString()}); the windows need ` +
        `${days(needed)} days (${settings.trainDays} train, ${settings.validationDays} ` +
        `validation, ${settings.testDays} test, ${settings.gapHours} h gaps), ` +
        `and at least half the training days`,
    );
  }
  return {
    trainStart: new Date(trainStart).toISOString(),
    validationStart: new Date(validationStart).toISOString(),
    testStart: new Date(testStart).toISOString(),
    testEnd: new Date(testEnd).toISOString(),
    gapHours: settings.gapHours,
  };
}

/** Longest SageMaker job, model and execution name. */
export const maximumJobNameLength = 63;

/**
 * The run's name, `<group>-<testEnd as yyyymmddhh>`: legal for SageMaker jobs and Step Functions
 * executions (letters, digits and single hyphens, at most 63 characters, starting with a letter
 * or digit). The group is cut to fit, never the time, so two windows never share a name.
 */
export function retrainJobName(modelPackageGroup: string, window: TrainingWindow): string {
  const end = new Date(window.testEnd);
  if (Number.isNaN(end.getTime())) {
    throw new InvalidArgumentError(`window end "${window.testEnd}" is not a time`);
  }
  const stamp = end.toISOString().slice(0, 13).replace(/[-T]/g, '');
  const group = modelPackageGroup
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, maximumJobNameLength - stamp.length - 1)
    .replace(/-+$/, '');
  if (group === '') {
    throw new InvalidArgumentError(
      `model package group "${modelPackageGroup}" has no letter or digit to name jobs with`,
    );
  }
  return `${group}-${stamp}`;
}

/**
 * The days of canonical event data present in a bucket, from object keys holding a Hive date
 * partition (`.../events/dt=2026-12-01/part-0.parquet`, also `date=`); keys without one are
 * ignored. Returns the span [first day, last day + 1 day), or null when no key has a day.
 */
export function eventDaySpan(keys: Iterable<string>): { start: Date; end: Date } | null {
  let first = Infinity;
  let last = -Infinity;
  for (const key of keys) {
    const match = /(?:^|\/)(?:dt|date)=(\d{4}-\d{2}-\d{2})(?:\/|$)/.exec(key);
    if (!match) continue;
    const day = Date.parse(`${match[1]}T00:00:00Z`);
    if (Number.isNaN(day)) continue;
    first = Math.min(first, day);
    last = Math.max(last, day);
  }
  if (first === Infinity) return null;
  return { start: new Date(first), end: new Date(last + dayMilliseconds) };
}

function requireSettings(settings: RetrainWindowSettings): void {
  const problems = (['trainDays', 'validationDays', 'testDays'] as const)
    .filter((name) => !(Number.isFinite(settings[name]) && settings[name] > 0))
    .map((name) => `${name} must be a positive number of days, got ${settings[name]}`);
  if (!(Number.isFinite(settings.gapHours) && settings.gapHours >= 0)) {
    problems.push(`gapHours must be zero or more, got ${settings.gapHours}`);
  }
  if (problems.length > 0) throw new InvalidArgumentError(problems.join('; '));
}

function days(milliseconds: number): string {
  return (milliseconds / dayMilliseconds).toFixed(1);
}
