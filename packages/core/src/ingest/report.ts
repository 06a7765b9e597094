import { Logger } from '../log';

/** The public log formats gfr reads; `generic` is gfr's own format for a user's logs. */
export const sourceFormats = ['taobao', 'rees46', 'open-bandit', 'generic'] as const;

/** One of {@link sourceFormats}. */
export type SourceFormat = (typeof sourceFormats)[number];

/**
 * Called while reading: rows read so far (data lines of all input files, header lines not
 * counted), bytes read so far and the total size of all input files, in bytes.
 */
export type IngestProgressHandler = (
  rowsRead: number,
  bytesRead: number,
  totalBytes: number,
) => void;

/** What {@link ingest} reads, where it writes and how strict it is. */
export interface IngestOptions {
  source: SourceFormat;
  /** The log file or folder; each format's adapter says which (see docs/generic-log-format.md). */
  input: string;
  /** Folder that receives events.parquet, items.parquet and users.parquet (replaced atomically). */
  outDir: string;
  /**
   * Largest share of unreadable rows tolerated in any one input file, in [0, 1]. Default 0.01.
   * It applies per file so that a broken small catalogue is not hidden by a clean large log.
   */
  maxBadRowShare?: number;
  /** Read at most this many data rows of the events file (for quick looks); default: all. */
  limitRows?: number;
  /** Structured logger; default: the process-wide JSON logger. */
  logger?: Logger;
  onProgress?: IngestProgressHandler;
}

/** A row that could not be turned into canonical data, and why. */
export interface BadRow {
  /** Path of the input file. */
  file: string;
  /** 1-based line number in a text file; 1-based row number in a Parquet file. */
  line: number;
  reason: string;
  /** The first 200 characters of the row as read (for Parquet: the row as JSON). */
  text: string;
}

/** Which canonical table an input file feeds. */
export type InputFileRole = 'events' | 'items' | 'users';

/** Per-file tally: every data row read is either good or in `badRowCount`. */
export interface InputFileSummary {
  file: string;
  role: InputFileRole;
  /** Data rows read (header lines excluded). */
  rowsRead: number;
  badRowCount: number;
}

/** The outcome of one ingest: what was written and everything that was not. */
export interface IngestReport {
  source: SourceFormat;
  input: string;
  outDir: string;
  /** Rows written to each canonical table. */
  counts: { events: number; items: number; users: number };
  /** Events per canonical type; every type is listed, absent ones with 0. */
  eventsByType: Record<string, number>;
  /** Data rows read from all input files (header lines excluded). */
  rowsRead: number;
  /** All bad rows, or the first {@link maxReportedBadRows} of them when there are more. */
  badRows: BadRow[];
  /** Total bad rows, including those beyond the reported list. */
  badRowCount: number;
  /** `badRowCount / rowsRead` over all input files (0 when nothing was read). */
  badRowShare: number;
  /** Earliest and latest event time, ISO 8601 UTC. */
  timeRange: { start: string; end: string };
  /** Per input file: rows read and bad rows. */
  files: InputFileSummary[];
  /** Plain-language facts a modeller must know about this log (missing impressions, outliers). */
  notes: string[];
  /** Wall-clock time of the whole ingest, in milliseconds. */
  durationMs: number;
}

/** How many bad rows a report lists; the rest are only counted. */
export const maxReportedBadRows = 1000;

/** Characters of a bad row's text kept in the report. */
export const badRowTextLength = 200;

/** Default of {@link IngestOptions.maxBadRowShare}. */
export const defaultMaxBadRowShare = 0.01;
