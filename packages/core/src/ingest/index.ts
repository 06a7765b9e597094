/**
 * Ingest: reads public interaction logs (Taobao UserBehavior, REES46, Open Bandit) and gfr's
 * generic format into the canonical events, items and users tables, reporting every row it
 * could not read.
 */
export { ingest } from './ingest';
export {
  BadRow,
  IngestOptions,
  IngestProgressHandler,
  IngestReport,
  InputFileRole,
  InputFileSummary,
  SourceFormat,
  defaultMaxBadRowShare,
  maxReportedBadRows,
  sourceFormats,
} from './report';
export { IngestFormatError, NoEventsError, TooManyBadRowsError } from './errors';
