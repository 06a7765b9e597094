import { CanonicalTableWriter } from '../canonical/table-writer';
import { InvalidArgumentError } from '../errors';
import { defaultLogger } from '../log';
import { IngestContext } from './context';
import { NoEventsError, TooManyBadRowsError } from './errors';
import { computeEventStats, eventStatsNotes } from './event-stats';
import { readGeneric } from './generic';
import { readOpenBandit } from './open-bandit';
import { readRees46 } from './rees46';
import {
  IngestOptions,
  IngestReport,
  SourceFormat,
  defaultMaxBadRowShare,
  sourceFormats,
} from './report';
import { fillUnknownItemsAndUsers, resolveItemsAndUsers } from './resolve';
import { Staging } from './staging';
import { readTaobao } from './taobao';

/** Reads one log format's files into an ingest context. */
type SourceReader = (input: string, context: IngestContext) => Promise<void>;

const readers: Record<SourceFormat, SourceReader> = {
  taobao: readTaobao,
  rees46: readRees46,
  'open-bandit': readOpenBandit,
  generic: readGeneric,
};

/**
 * Reads a log in one of the {@link SourceFormat}s and writes gfr's canonical tables
 * (events.parquet, items.parquet, users.parquet) into `outDir`, atomically. Every data row is
 * either used or reported as a bad row with its file, line and reason.
 *
 * Throws {@link TooManyBadRowsError} when an input file's share of bad rows exceeds
 * `maxBadRowShare` (default 0.01), {@link NoEventsError} when no event could be read, and
 * `IngestFormatError` / `InputNotFoundError` for inputs of the wrong shape; nothing is written
 * in any of those cases.
 */
export async function ingest(options: IngestOptions): Promise<IngestReport> {
  const startedAt = Date.now();
  const maxBadRowShare = options.maxBadRowShare ?? defaultMaxBadRowShare;
  validateOptions(options, maxBadRowShare);
  const logger = (options.logger ?? defaultLogger).child({
    component: 'ingest',
    source: options.source,
  });

  const writer = await CanonicalTableWriter.open();
  let finishing = false;
  try {
    const staging = await Staging.open(writer.duck);
    const context = new IngestContext(
      writer,
      staging,
      logger,
      options.limitRows,
      options.onProgress,
    );
    logger.info('ingest started', { input: options.input, outDir: options.outDir });
    await readers[options.source](options.input, context);

    await resolveItemsAndUsers(context);
    checkBadRowShares(context, maxBadRowShare);
    const eventCount = await countEvents(context);
    if (eventCount === 0) {
      const eventsFile = context.files.find((tally) => tally.role === 'events');
      throw new NoEventsError(eventsFile?.file ?? options.input, eventsFile?.rowsRead ?? 0);
    }
    await fillUnknownItemsAndUsers(context);
    const stats = await computeEventStats(writer.duck);
    context.notes.push(...eventStatsNotes(stats));

    finishing = true;
    const counts = await writer.finish(options.outDir);
    const report: IngestReport = {
      source: options.source,
      input: options.input,
      outDir: options.outDir,
      counts,
      eventsByType: stats.eventsByType,
      rowsRead: context.rowsRead,
      badRows: context.badRows,
      badRowCount: context.badRowCount,
      badRowShare: context.rowsRead === 0 ? 0 : context.badRowCount / context.rowsRead,
      timeRange: {
        start: new Date(stats.startMs).toISOString(),
        end: new Date(stats.endMs).toISOString(),
      },
      files: context.files,
      notes: context.notes,
      durationMs: Date.now() - startedAt,
    };
    logger.info('ingest finished', {
      outDir: options.outDir,
      counts,
      rowsRead: report.rowsRead,
      badRowCount: report.badRowCount,
      durationMs: report.durationMs,
    });
    return report;
  } finally {
    // finish() closes the session itself, also when it fails.
    if (!finishing) writer.abort();
  }
}

function validateOptions(options: IngestOptions, maxBadRowShare: number): void {
  if (!sourceFormats.includes(options.source)) {
    throw new InvalidArgumentError(
      `unknown source format '${String(options.source)}'; expected one of ${sourceFormats.join(', ')}`,
    );
  }
  if (!(maxBadRowShare >= 0 && maxBadRowShare <= 1)) {
    throw new InvalidArgumentError(`maxBadRowShare must be in [0, 1], got ${maxBadRowShare}`);
  }
  const limit = options.limitRows;
  if (limit !== undefined && !(Number.isSafeInteger(limit) && limit > 0)) {
    throw new InvalidArgumentError(`limitRows must be a positive integer, got ${limit}`);
  }
}

/** Throws for the first input file whose bad rows exceed the allowed share. */
function checkBadRowShares(context: IngestContext, maxBadRowShare: number): void {
  for (const tally of context.files) {
    if (tally.rowsRead === 0 || tally.badRowCount / tally.rowsRead <= maxBadRowShare) continue;
    const examples = context.badRows.filter((row) => row.file === tally.file);
    throw new TooManyBadRowsError(
      tally.file,
      tally.badRowCount,
      tally.rowsRead,
      maxBadRowShare,
      examples,
    );
  }
}

async function countEvents(context: IngestContext): Promise<number> {
  const [row] = await context.writer.duck.jsonRows('SELECT count(*)::DOUBLE AS n FROM events');
  return Number(row.n);
}
