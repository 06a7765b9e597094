/**
 * Cutting canonical tables to a retraining window, with the same DuckDB code locally
 * (`gfr retrain`) and in the cloud (the image's `process` command over the bucket's Parquet).
 * Events may be one `events.parquet` or date-partitioned files under `events/`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { canonicalColumns, canonicalFileName } from '../canonical/schema';
import { DuckSession, sqlPath, sqlString } from '../duckdb/database';
import { InputNotFoundError } from '../errors';
import { produceAtomically } from '../io/atomic';
import { PreparationSettings, defaultPreparationSettings } from '../pipeline/training-sets';
import { InsufficientDataError } from './errors';
import { TrainingWindow } from './retrain-window';

/** The `read_parquet` source of a folder's events: one file, or every file under `events/`. */
export function eventsSource(tablesDir: string): string {
  const single = path.join(tablesDir, canonicalFileName('events'));
  if (fs.existsSync(single)) return `read_parquet(${sqlPath(single)})`;
  const partitioned = path.join(tablesDir, 'events');
  if (fs.existsSync(partitioned) && fs.statSync(partitioned).isDirectory()) {
    return `read_parquet(${sqlPath(path.join(partitioned, '**', '*.parquet'))}, union_by_name = true)`;
  }
  throw new InputNotFoundError(
    single,
    `${tablesDir} holds neither events.parquet nor an events/ folder of Parquet files`,
  );
}

/** The first and last event time of a folder of canonical tables. */
export async function eventTimeSpan(tablesDir: string): Promise<{ start: Date; end: Date }> {
  const session = await DuckSession.open();
  try {
    const [row] = await session.jsonRows(
      `SELECT epoch_ms(min(ts)) AS first, epoch_ms(max(ts)) AS last FROM ${eventsSource(tablesDir)}`,
    );
    if (row.first === null || row.last === null) {
      throw new InsufficientDataError(`${tablesDir} holds no events`);
    }
    return { start: new Date(Number(row.first)), end: new Date(Number(row.last)) };
  } finally {
    session.close();
  }
}

/**
 * Writes the window's canonical tables to `outDir`: events in [trainStart, testEnd), all items
 * and users. The folder is produced atomically (written under a temporary sibling, renamed into
 * place when complete): a kill or a failure mid-write leaves the previous `outDir` (or none),
 * never Parquet files that look complete but miss tables or rows. An existing `outDir` may hold
 * only these three tables. Shortcoming: events before the window are left out, so the
 * aggregates of the first training examples see a shorter history than the served model's
 * features will.
 */
export async function writeWindowTables(
  tablesDir: string,
  window: TrainingWindow,
  outDir: string,
): Promise<{ events: number }> {
  const tables = (['events', 'items', 'users'] as const).map(canonicalFileName);
  return produceAtomically(
    outDir,
    (temporaryDir) => cutWindowTables(tablesDir, window, temporaryDir),
    { replaceableEntries: tables },
  );
}

async function cutWindowTables(
  tablesDir: string,
  window: TrainingWindow,
  outDir: string,
): Promise<{ events: number }> {
  fs.mkdirSync(outDir, { recursive: true });
  const session = await DuckSession.open();
  try {
    const from = sqlString(window.trainStart);
    const to = sqlString(window.testEnd);
    const events = path.join(outDir, canonicalFileName('events'));
    // The canonical columns only: partitioned files add their partition key (dt) as a column.
    const columns = Object.keys(canonicalColumns.events).join(', ');
    await session.run(`COPY (SELECT ${columns} FROM ${eventsSource(tablesDir)}
      WHERE ts >= ${from}::TIMESTAMP AND ts < ${to}::TIMESTAMP ORDER BY ts)
      TO ${sqlPath(events)} (FORMAT parquet)`);

    for (const table of ['items', 'users'] as const) {
      const source = path.join(tablesDir, canonicalFileName(table));
      if (!fs.existsSync(source)) throw new InputNotFoundError(source);
      fs.copyFileSync(source, path.join(outDir, canonicalFileName(table)));
    }

    const [row] = await session.jsonRows(
      `SELECT count(*) AS n FROM read_parquet(${sqlPath(events)})`,
    );
    const count = Number(row.n);
    if (count === 0) {
      throw new InsufficientDataError(
        `no events of ${tablesDir} fall in the window ${window.trainStart} to ${window.testEnd}`,
      );
    }
    return { events: count };
  } finally {
    session.close();
  }
}

/**
 * Preparation settings whose time split follows the window: validation and test shares are the
 * windows' shares of the whole span and the gap is the window's. Shortcoming: the split is still
 * taken at example-time quantiles, so the boundaries match the window's only when examples are
 * spread evenly over time.
 */
export function windowPreparationSettings(
  window: TrainingWindow,
  base: PreparationSettings = defaultPreparationSettings,
): PreparationSettings {
  const start = Date.parse(window.trainStart);
  const total = Date.parse(window.testEnd) - start;
  const validation = Date.parse(window.testStart) - Date.parse(window.validationStart);
  const test = Date.parse(window.testEnd) - Date.parse(window.testStart);
  return {
    ...base,
    split: {
      validationShare: validation / total,
      testShare: test / total,
      gapSeconds: window.gapHours * 3600,
    },
  };
}
