import { eventTypes } from '../canonical/schema';
import { DuckSession } from '../duckdb/database';

/** What the stored events look like, for the report and its notes. */
export interface EventStats {
  eventsByType: Record<string, number>;
  /** Earliest and latest event time, in ms since the epoch. */
  startMs: number;
  endMs: number;
  /** Events more than {@link outlierMarginMs} outside the main window. */
  outliers: { count: number; windowStartMs: number; windowEndMs: number };
  /** Impressions grouped by request_id (only impressions that have one). */
  requests: { count: number; withSeveralImpressions: number; mostImpressions: number };
}

/**
 * Share of events cut from each end to find the main window: the window holds 99.8 % of events,
 * so a handful of stray clock values cannot stretch it.
 */
const windowTailShare = 0.001;
/** How far outside the main window an event must lie to count as an outlier: one day. */
export const outlierMarginMs = 24 * 3600 * 1000;

/** Counts events by type, finds the time range and the timestamps far outside the main window. */
export async function computeEventStats(session: DuckSession): Promise<EventStats> {
  const eventsByType: Record<string, number> = Object.fromEntries(eventTypes.map((t) => [t, 0]));
  const typeRows = await session.jsonRows(
    'SELECT type, count(*)::DOUBLE AS n FROM events GROUP BY type',
  );
  for (const row of typeRows) eventsByType[String(row.type)] = Number(row.n);

  const [range] = await session.jsonRows(
    `SELECT epoch_ms(min(ts))::DOUBLE AS start_ms, epoch_ms(max(ts))::DOUBLE AS end_ms,
            epoch_ms(quantile_disc(ts, ${windowTailShare}))::DOUBLE AS window_start_ms,
            epoch_ms(quantile_disc(ts, ${1 - windowTailShare}))::DOUBLE AS window_end_ms
     FROM events`,
  );
  const windowStartMs = Number(range.window_start_ms);
  const windowEndMs = Number(range.window_end_ms);
  const [outliers] = await session.jsonRows(
    `SELECT count(*)::DOUBLE AS n FROM events
     WHERE epoch_ms(ts) < ${windowStartMs - outlierMarginMs}
        OR epoch_ms(ts) > ${windowEndMs + outlierMarginMs}`,
  );

  const [requests] = await session.jsonRows(
    `SELECT count(*)::DOUBLE AS requests,
            count(*) FILTER (WHERE impressions > 1)::DOUBLE AS shared,
            coalesce(max(impressions), 0)::DOUBLE AS most
     FROM (SELECT request_id, count(*) AS impressions FROM events
           WHERE type = 'impression' AND request_id IS NOT NULL GROUP BY request_id)`,
  );

  return {
    eventsByType,
    startMs: Number(range.start_ms),
    endMs: Number(range.end_ms),
    outliers: { count: Number(outliers.n), windowStartMs, windowEndMs },
    requests: {
      count: Number(requests.requests),
      withSeveralImpressions: Number(requests.shared),
      mostImpressions: Number(requests.most),
    },
  };
}

/** The notes every log gets from its event statistics. */
export function eventStatsNotes(stats: EventStats): string[] {
  const notes: string[] = [];
  if (stats.eventsByType.impression === 0) {
    notes.push('no impressions in this log: impressions must be reconstructed for pCTR');
  } else if (stats.requests.count > 0) {
    notes.push(
      `impressions form ${stats.requests.count} requests (request_id); ` +
        `${stats.requests.withSeveralImpressions} of them hold more than one impression ` +
        `(at most ${stats.requests.mostImpressions})`,
    );
  }
  if (stats.eventsByType.click === 0) {
    notes.push('no clicks in this log: pCTR cannot be learnt from it');
  }
  if (stats.eventsByType.purchase === 0) {
    notes.push('no purchases in this log: pCVR cannot be learnt from it');
  }
  if (stats.outliers.count > 0) {
    const window = `${iso(stats.outliers.windowStartMs)} .. ${iso(stats.outliers.windowEndMs)}`;
    notes.push(
      `${stats.outliers.count} events lie more than a day outside the main window ${window} ` +
        `(which holds 99.8 % of events; earliest event ${iso(stats.startMs)}, latest ` +
        `${iso(stats.endMs)}); they are real log records and were kept`,
    );
  }
  return notes;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
