import * as fs from 'node:fs';

import { CanonicalTableWriter } from '../canonical/table-writer';
import { InputNotFoundError } from '../errors';
import { Logger } from '../log';
import {
  BadRow,
  InputFileRole,
  InputFileSummary,
  IngestProgressHandler,
  badRowTextLength,
  maxReportedBadRows,
} from './report';
import { Staging } from './staging';

/** Bad rows logged one by one at `warn`; the rest only at `debug`, so a broken file stays readable. */
const loggedBadRows = 10;

/**
 * The shared state of one ingest: the table writer, the staging tables, the bad-row log, the
 * per-file tallies, the notes and the progress counters. Adapters read their files into it;
 * `ingest` then resolves it into the canonical tables and the report.
 */
export class IngestContext {
  /** Facts about the log for the report, added by the adapter and by finalisation. */
  readonly notes: string[] = [];
  /** One tally per input file read, in reading order. */
  readonly files: InputFileSummary[] = [];
  /** The first {@link maxReportedBadRows} bad rows. */
  readonly badRows: BadRow[] = [];
  badRowCount = 0;
  /** Data rows read from all files. */
  rowsRead = 0;

  private totalBytes = 0;
  private bytesOfFinishedFiles = 0;

  constructor(
    readonly writer: CanonicalTableWriter,
    readonly staging: Staging,
    readonly logger: Logger,
    /** Maximum data rows to read from the events file, or undefined for all. */
    readonly limitRows: number | undefined,
    private readonly onProgress: IngestProgressHandler | undefined,
  ) {}

  /**
   * Declares the files this ingest will read, checking that each exists, so that progress can
   * report a total. Throws {@link InputNotFoundError} for a missing file.
   */
  expectFiles(paths: string[]): void {
    for (const filePath of paths) {
      let size: number;
      try {
        size = fs.statSync(filePath).size;
      } catch (error) {
        throw new InputNotFoundError(filePath, undefined, { cause: error });
      }
      this.totalBytes += size;
    }
  }

  /** Starts the tally of one input file. */
  startFile(file: string, role: InputFileRole): InputFileSummary {
    const tally: InputFileSummary = { file, role, rowsRead: 0, badRowCount: 0 };
    this.files.push(tally);
    this.logger.info('reading input file', { file, role });
    return tally;
  }

  /** Counts one data row of `tally`'s file as read (good or bad). */
  countRow(tally: InputFileSummary): void {
    tally.rowsRead++;
    this.rowsRead++;
  }

  /** Counts `count` data rows of `tally`'s file as read at once (a Parquet file read in SQL). */
  countRows(tally: InputFileSummary, count: number): void {
    tally.rowsRead += count;
    this.rowsRead += count;
  }

  /**
   * Records a row that cannot be used, with its 1-based line (or Parquet row) number and the
   * reason; the row must already be counted by {@link countRow}.
   */
  badRow(tally: InputFileSummary, line: number, reason: string, text: string): void {
    tally.badRowCount++;
    this.badRowCount++;
    const row: BadRow = { file: tally.file, line, reason, text: text.slice(0, badRowTextLength) };
    if (this.badRows.length < maxReportedBadRows) this.badRows.push(row);
    const fields = { file: row.file, line, reason };
    if (this.badRowCount <= loggedBadRows) this.logger.warn('bad row', fields);
    else this.logger.debug('bad row', fields);
  }

  /**
   * Counts `count` more bad rows of `tally`'s file that are not listed one by one (found in SQL
   * after the report's list is full).
   */
  countUnlistedBadRows(tally: InputFileSummary, count: number): void {
    tally.badRowCount += count;
    this.badRowCount += count;
  }

  /** The tally of `file` read in `role`, if it was read. */
  tallyOf(file: string, role: InputFileRole): InputFileSummary | undefined {
    return this.files.find((tally) => tally.file === file && tally.role === role);
  }

  /** Whether `tally` (an events file) has read as many rows as `limitRows` allows. */
  rowLimitReached(tally: InputFileSummary): boolean {
    return this.limitRows !== undefined && tally.rowsRead >= this.limitRows;
  }

  /** Reports progress with `bytesReadInFile` bytes read of the current file. */
  progress(bytesReadInFile: number): void {
    this.onProgress?.(this.rowsRead, this.bytesOfFinishedFiles + bytesReadInFile, this.totalBytes);
  }

  /** Marks the current file as done after `bytes` bytes, for the progress total. */
  finishFile(bytes: number): void {
    this.bytesOfFinishedFiles += bytes;
    this.progress(0);
  }
}
