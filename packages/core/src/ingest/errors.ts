import { GfrError } from '../errors';
import { BadRow } from './report';

/** How many bad rows the message of {@link TooManyBadRowsError} quotes. */
const quotedBadRows = 5;

/**
 * An input file holds more unreadable rows than `maxBadRowShare` allows. Nothing is written
 * then: a log this broken is more likely the wrong format or a damaged copy than a few glitches.
 */
export class TooManyBadRowsError extends GfrError {
  constructor(
    /** The input file whose share of bad rows is too high. */
    readonly file: string,
    /** Bad rows of that file. */
    readonly badRowCount: number,
    /** Data rows read from that file. */
    readonly rowsRead: number,
    /** The limit that was exceeded, as a share in [0, 1]. */
    readonly limit: number,
    /** The file's first bad rows (at most the report's limit). */
    readonly badRows: BadRow[],
  ) {
    const share = rowsRead === 0 ? 0 : badRowCount / rowsRead;
    const examples = badRows
      .slice(0, quotedBadRows)
      .map((row) => `  line ${row.line}: ${row.reason}: ${JSON.stringify(row.text)}`)
      .join('\n');
    super(
      'INGEST_TOO_MANY_BAD_ROWS',
      `too many bad rows in ${file}: ${badRowCount} of ${rowsRead} rows ` +
        `(${formatPercent(share)}) could not be read, above the limit of ${formatPercent(limit)} ` +
        `(--max-bad-share ${limit} raises it); no tables were written. First bad rows:\n${examples}`,
    );
  }

  /** Share of bad rows in the file, in [0, 1]. */
  get share(): number {
    return this.rowsRead === 0 ? 0 : this.badRowCount / this.rowsRead;
  }
}

/**
 * An input does not have the shape its format requires: a missing file, a header without a
 * required column, two candidate files for one table. The message names the file and the problem.
 */
export class IngestFormatError extends GfrError {
  constructor(
    /** The file or folder at fault. */
    readonly file: string,
    problem: string,
    options?: { cause?: unknown },
  ) {
    super('INGEST_BAD_FORMAT', `${file}: ${problem}`, options);
  }
}

/** The events input held no readable event at all (empty, header only, or every row bad). */
export class NoEventsError extends GfrError {
  constructor(
    /** The events file. */
    readonly file: string,
    rowsRead: number,
  ) {
    super(
      'INGEST_NO_EVENTS',
      `no events could be read from ${file} (${rowsRead} data rows read); nothing was written`,
    );
  }
}

function formatPercent(share: number): string {
  return `${(share * 100).toFixed(2)} %`;
}
