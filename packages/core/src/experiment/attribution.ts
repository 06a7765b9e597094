import { ExposureRecord, OutcomeRecord } from './records';
import { MalformedLine } from './report';

const dayMilliseconds = 86_400_000;

/** The quantities tracked per user and day, in this order in {@link UserActivity.daily}. */
export const activityFields = ['impressions', 'clicks', 'purchases', 'revenue'] as const;

/** Number of {@link activityFields}. */
export const activityFieldCount = activityFields.length;

/** One exposed user: their arm, first exposure day and what they did each day. */
export interface UserActivity {
  userId: string;
  variant: string;
  /** Day index (0 = the first day of the experiment) of the user's first exposure. */
  firstDay: number;
  /** Exposure records of the user. */
  exposures: number;
  /**
   * Per day, the increments of impressions, clicks, purchases and revenue, day-major:
   * `daily[day * 4 + field]`. Outcomes count on the day they happened.
   */
  daily: Float64Array;
}

/** Exposures joined with their outcomes, ready for the analysis. */
export interface JoinedExperiment {
  users: UserActivity[];
  /** Days from the first exposure's UTC day to the last day with data. */
  days: number;
  /** The first UTC day, epoch milliseconds of its midnight; null without exposures. */
  startDayMs: number | null;
  firstExposureMs: number | null;
  lastExposureMs: number | null;
  exposureRecords: number;
  outcomeRecords: number;
  attributedOutcomes: number;
  unattributedOutcomes: number;
  outsideWindowOutcomes: number;
  usersInSeveralVariants: number;
  malformed: MalformedLine[];
}

interface IndexedExposure {
  timeMs: number;
  variant: string;
  items: Set<string>;
}

/**
 * Joins outcomes to exposures. An outcome naming a request is attributed to that request's
 * exposure of the same user, provided the item (when named) was in the feed and the outcome
 * came within `windowMs` after the exposure. An outcome without a request goes to the user's
 * latest exposure within the window before it, preferring one that showed the item. The rest
 * are counted as unattributed or outside the window, never silently dropped. Users logged
 * under two arms (a changed assignment, a bug) are excluded and counted.
 */
export function joinExperiment(
  exposures: readonly ExposureRecord[],
  outcomes: readonly OutcomeRecord[],
  windowMs: number,
  malformed: MalformedLine[] = [],
): JoinedExperiment {
  const ordered = exposures
    .map((record) => ({ record, timeMs: Date.parse(record.time) }))
    .sort((left, right) => left.timeMs - right.timeMs);
  const byRequest = new Map<string, IndexedExposure>();
  const byUser = new Map<string, IndexedExposure[]>();
  const variantsOf = new Map<string, Set<string>>();
  for (const { record, timeMs } of ordered) {
    const indexed = {
      timeMs,
      variant: record.variant,
      items: new Set(record.items.map((item) => item.item_id)),
    };
    const key = requestKey(record.user_id, record.request_id);
    if (!byRequest.has(key)) byRequest.set(key, indexed);
    let list = byUser.get(record.user_id);
    if (!list) byUser.set(record.user_id, (list = []));
    list.push(indexed);
    let variants = variantsOf.get(record.user_id);
    if (!variants) variantsOf.set(record.user_id, (variants = new Set()));
    variants.add(record.variant);
  }

  const firstExposureMs = ordered.length > 0 ? ordered[0].timeMs : null;
  const lastExposureMs = ordered.length > 0 ? ordered[ordered.length - 1].timeMs : null;
  const startDayMs =
    firstExposureMs === null
      ? null
      : Math.floor(firstExposureMs / dayMilliseconds) * dayMilliseconds;
  const dayOf = (timeMs: number) => Math.floor((timeMs - (startDayMs ?? 0)) / dayMilliseconds);

  const attributed: { userId: string; day: number; type: string; revenue: number }[] = [];
  let unattributedOutcomes = 0;
  let outsideWindowOutcomes = 0;
  for (const outcome of outcomes) {
    const timeMs = Date.parse(outcome.time);
    const match = outcome.request_id
      ? matchByRequest(byRequest.get(requestKey(outcome.user_id, outcome.request_id)), outcome)
      : matchByUser(byUser.get(outcome.user_id), outcome, timeMs, windowMs);
    if (match === 'none') {
      unattributedOutcomes++;
      continue;
    }
    const elapsed = match === undefined ? Infinity : timeMs - match.timeMs;
    if (elapsed < 0 || elapsed > windowMs) {
      outsideWindowOutcomes++;
      continue;
    }
    const revenue = outcome.type === 'purchase' ? (outcome.revenue ?? 0) : 0;
    attributed.push({ userId: outcome.user_id, day: dayOf(timeMs), type: outcome.type, revenue });
  }

  let days = lastExposureMs === null ? 0 : dayOf(lastExposureMs) + 1;
  for (const outcome of attributed) days = Math.max(days, outcome.day + 1);

  const users = new Map<string, UserActivity>();
  let usersInSeveralVariants = 0;
  for (const variants of variantsOf.values()) {
    if (variants.size > 1) usersInSeveralVariants++;
  }
  for (const { record, timeMs } of ordered) {
    if (variantsOf.get(record.user_id)!.size > 1) continue;
    const day = dayOf(timeMs);
    let user = users.get(record.user_id);
    if (!user) {
      user = {
        userId: record.user_id,
        variant: record.variant,
        firstDay: day,
        exposures: 0,
        daily: new Float64Array(days * activityFieldCount),
      };
      users.set(record.user_id, user);
    }
    user.exposures++;
    user.daily[day * activityFieldCount] += record.items.length;
  }
  for (const outcome of attributed) {
    const user = users.get(outcome.userId);
    if (!user) continue;
    const offset = outcome.day * activityFieldCount;
    if (outcome.type === 'click') user.daily[offset + 1] += 1;
    else {
      user.daily[offset + 2] += 1;
      user.daily[offset + 3] += outcome.revenue;
    }
  }

  return {
    users: [...users.values()],
    days,
    startDayMs,
    firstExposureMs,
    lastExposureMs,
    exposureRecords: exposures.length,
    outcomeRecords: outcomes.length,
    attributedOutcomes: attributed.length,
    unattributedOutcomes,
    outsideWindowOutcomes,
    usersInSeveralVariants,
    malformed,
  };
}

function requestKey(userId: string, requestId: string): string {
  return `${userId}\u0000${requestId}`;
}

/** The exposure of the outcome's request, 'none' when unknown or the item was not shown. */
function matchByRequest(
  exposure: IndexedExposure | undefined,
  outcome: OutcomeRecord,
): IndexedExposure | 'none' {
  if (!exposure) return 'none';
  if (outcome.item_id && !exposure.items.has(outcome.item_id)) return 'none';
  return exposure;
}

/**
 * The user's latest exposure at most `windowMs` before the outcome (one that showed the item
 * if any did); undefined when the user has exposures but none in the window; 'none' when the
 * user has no exposure at all.
 */
function matchByUser(
  exposures: IndexedExposure[] | undefined,
  outcome: OutcomeRecord,
  timeMs: number,
  windowMs: number,
): IndexedExposure | 'none' | undefined {
  if (!exposures || exposures.length === 0) return 'none';
  let latest: IndexedExposure | undefined;
  for (let index = exposures.length - 1; index >= 0; index--) {
    const exposure = exposures[index];
    if (exposure.timeMs > timeMs) continue;
    if (timeMs - exposure.timeMs > windowMs) break;
    latest ??= exposure;
    if (!outcome.item_id || exposure.items.has(outcome.item_id)) return exposure;
  }
  return latest;
}
