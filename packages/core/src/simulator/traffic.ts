import { MarketplaceConfig } from './config';
import { isWeekend } from './ground-truth';
import { Population } from './population';
import { SeededRandom } from '../random';

const hourMilliseconds = 3_600_000;

/**
 * Relative share of sessions starting in each local hour (0–23): quiet nights, a lunchtime
 * bump and an evening peak, as shopping apps see.
 */
const localHourWeights = [
  0.3, 0.2, 0.12, 0.08, 0.08, 0.12, 0.3, 0.6, 0.8, 0.9, 1.0, 1.05, 1.15, 1.1, 1.0, 0.95, 1.0, 1.1,
  1.3, 1.5, 1.6, 1.5, 1.1, 0.6,
];

/** Session rate multipliers: weekends are busier; the mean over a week stays 1. */
const weekendActivity = 1.15;
const weekdayActivity = (7 - 2 * weekendActivity) / 5;

/** Gap between two feed requests of a session: a fixed minimum plus an exponential wait. */
const minimumRequestGapMs = 20_000;
const meanExtraRequestGapMs = 45_000;

/**
 * The feed requests of one simulated day in time order, as parallel arrays (no object per
 * request). A session started late may run past midnight; the run loop carries those
 * requests over into the next day's schedule with {@link appendSchedule}.
 */
export interface DaySchedule {
  /** Number of requests. */
  readonly count: number;
  /** Request instants, epoch milliseconds, non-decreasing. */
  readonly timeMs: Float64Array;
  /** User index of each request. */
  readonly user: Int32Array;
  /** Session id of each request (unique over the whole run). */
  readonly session: Int32Array;
  /** 1 for the last request of its session. */
  readonly lastOfSession: Uint8Array;
}

/**
 * Draws the requests of day `day` (0-based): each user starts Poisson(activity × mean ×
 * weekday factor) sessions, at local hours drawn from the daily profile; each session makes
 * 1 + geometric further requests with the configured mean. `firstSessionId` numbers the
 * sessions; the day's schedule and the next free id are returned.
 */
export function scheduleDay(
  config: MarketplaceConfig,
  population: Population,
  dayStartMs: number,
  firstSessionId: number,
  random: SeededRandom,
): { schedule: DaySchedule; nextSessionId: number } {
  const times: number[] = [];
  const users: number[] = [];
  const sessions: number[] = [];
  const lasts: number[] = [];
  const continueProbability = 1 - 1 / config.requestsPerSession;
  let sessionId = firstSessionId;

  for (let user = 0; user < population.size; user++) {
    const timezoneHours = population.users[user].timezoneHours;
    const dayFactor = isWeekend(dayStartMs + 12 * hourMilliseconds, timezoneHours)
      ? weekendActivity
      : weekdayActivity;
    const sessionCount = random.poisson(
      config.sessionsPerUserPerDay * population.activity[user] * dayFactor,
    );
    for (let session = 0; session < sessionCount; session++) {
      const localHour = random.weightedIndex(localHourWeights);
      const utcHour = (((localHour - timezoneHours) % 24) + 24) % 24;
      let timeMs = Math.floor(dayStartMs + (utcHour + random.next()) * hourMilliseconds);
      let more = true;
      while (more) {
        more = random.bernoulli(continueProbability);
        times.push(timeMs);
        users.push(user);
        sessions.push(sessionId);
        lasts.push(more ? 0 : 1);
        timeMs += minimumRequestGapMs + Math.floor(random.exponential(meanExtraRequestGapMs));
      }
      sessionId++;
    }
  }

  return { schedule: sortedSchedule(times, users, sessions, lasts), nextSessionId: sessionId };
}

/** The requests of `earlier` from slot `fromSlot` on, together with `later`, in time order. */
export function appendSchedule(
  earlier: DaySchedule,
  fromSlot: number,
  later: DaySchedule,
): DaySchedule {
  if (fromSlot >= earlier.count) return later;
  const pick = <T extends ArrayLike<number>>(left: T, right: T): number[] => [
    ...Array.prototype.slice.call(left, fromSlot),
    ...Array.prototype.slice.call(right),
  ];
  return sortedSchedule(
    pick(earlier.timeMs, later.timeMs),
    pick(earlier.user, later.user),
    pick(earlier.session, later.session),
    pick(earlier.lastOfSession, later.lastOfSession),
  );
}

function sortedSchedule(
  times: number[],
  users: number[],
  sessions: number[],
  lasts: number[],
): DaySchedule {
  const order = Array.from(times.keys()).sort(
    (left, right) => times[left] - times[right] || sessions[left] - sessions[right],
  );
  return {
    count: order.length,
    timeMs: Float64Array.from(order, (index) => times[index]),
    user: Int32Array.from(order, (index) => users[index]),
    session: Int32Array.from(order, (index) => sessions[index]),
    lastOfSession: Uint8Array.from(order, (index) => lasts[index]),
  };
}
