/**
 * SageMaker Data Capture records (Developer Guide, "Capture data"; reference
 * model-format-and-containers.md §10): one JSON line per sampled invocation holding the whole
 * request and response. Parsing is pure, so the drift check reads S3 objects (Lambda) and local
 * files (`gfr drift`) with the same code.
 */
import { CaptureRecordInvalidError } from './errors';

/** How a payload's `data` is stored: raw text for listed JSON and CSV types, else base64. */
export type CaptureEncoding = 'JSON' | 'CSV' | 'BASE64';

/** One side of a captured invocation, decoded. */
export interface CapturePayload {
  observedContentType: string;
  mode: 'INPUT' | 'OUTPUT';
  encoding: CaptureEncoding;
  /** The payload as text: raw for JSON and CSV, the UTF-8 decoding of the bytes for BASE64. */
  text: string;
}

/** One captured invocation. */
export interface CaptureRecord {
  eventId: string;
  /** The caller's inference id, null when it set none. */
  inferenceId: string | null;
  /** ISO time of the invocation, as written (SageMaker writes whole seconds). */
  inferenceTime: string;
  /** Null when the capture options left the request out. */
  input: CapturePayload | null;
  /** Null when the capture options left the response out. */
  output: CapturePayload | null;
  eventVersion: string;
}

/** Where a record was read from. */
export interface LocatedCaptureRecord extends CaptureRecord {
  /** A path or an `s3://` URI. */
  file: string;
  /** 1-based line number in `file`. */
  line: number;
}

/** A line that is not a capture record, and why. */
export interface MalformedCaptureLine {
  file: string;
  line: number;
  reason: string;
}

/** Records and malformed lines of one or more capture files. */
export interface CaptureReadResult {
  records: LocatedCaptureRecord[];
  /** Capture files read, sorted (which, with SageMaker's key layout, is time order). */
  files: string[];
  /** Lines that were not records; blank lines are not counted. */
  malformedLines: number;
  /** The first {@link maximumReportedMalformedLines} of them with their reasons. */
  malformed: MalformedCaptureLine[];
}

/** How many malformed lines a {@link CaptureReadResult} describes one by one. */
export const maximumReportedMalformedLines = 100;

const encodings: readonly CaptureEncoding[] = ['JSON', 'CSV', 'BASE64'];

/** An empty result to accumulate files into with {@link addCaptureLine}. */
export function emptyCaptureReadResult(): CaptureReadResult {
  return { records: [], files: [], malformedLines: 0, malformed: [] };
}

/**
 * Adds one line of `file` to `result`: a record, or a counted malformed line with its reason.
 * Blank lines (a trailing newline, say) are skipped without counting.
 */
export function addCaptureLine(
  result: CaptureReadResult,
  text: string,
  file: string,
  line: number,
): void {
  if (text.trim() === '') return;
  try {
    result.records.push({ ...parseCaptureRecord(text), file, line });
  } catch (error) {
    result.malformedLines += 1;
    if (result.malformed.length < maximumReportedMalformedLines) {
      const reason = error instanceof CaptureRecordInvalidError ? error.reason : String(error);
      result.malformed.push({ file, line, reason });
    }
  }
}

/** Adds every line of one capture file's text to `result` (see {@link addCaptureLine}). */
export function addCaptureFile(result: CaptureReadResult, text: string, file: string): void {
  result.files.push(file);
  text.split(/\r?\n/).forEach((line, index) => addCaptureLine(result, line, file, index + 1));
}

/**
 * Parses one capture line. Throws {@link CaptureRecordInvalidError} naming the first part that
 * is wrong: bad JSON, a missing field, an unknown encoding or base64 that does not decode.
 */
export function parseCaptureRecord(line: string): CaptureRecord {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    throw new CaptureRecordInvalidError(`line is not JSON (${(error as Error).message})`);
  }
  const record = requireObject(value, 'the line');
  const captureData = requireObject(record.captureData, 'captureData');
  const metadata = requireObject(record.eventMetadata, 'eventMetadata');

  const input = readPayload(captureData.endpointInput, 'INPUT', 'endpointInput');
  const output = readPayload(captureData.endpointOutput, 'OUTPUT', 'endpointOutput');
  if (!input && !output) {
    throw new CaptureRecordInvalidError('captureData has neither endpointInput nor endpointOutput');
  }
  const inferenceTime = requireString(metadata.inferenceTime, 'eventMetadata.inferenceTime');
  if (Number.isNaN(Date.parse(inferenceTime))) {
    throw new CaptureRecordInvalidError(
      `eventMetadata.inferenceTime "${inferenceTime}" is not a time`,
    );
  }
  const inferenceId = metadata.inferenceId;
  return {
    eventId: requireString(metadata.eventId, 'eventMetadata.eventId'),
    inferenceId: inferenceId === undefined ? null : requireString(inferenceId, 'inferenceId'),
    inferenceTime,
    input,
    output,
    eventVersion: requireString(record.eventVersion, 'eventVersion'),
  };
}

function readPayload(
  value: unknown,
  mode: CapturePayload['mode'],
  name: string,
): CapturePayload | null {
  if (value === undefined || value === null) return null;
  const payload = requireObject(value, `captureData.${name}`);
  const field = (key: string) => requireString(payload[key], `captureData.${name}.${key}`);
  if (field('mode') !== mode) {
    throw new CaptureRecordInvalidError(
      `captureData.${name}.mode is "${payload.mode}", expected "${mode}"`,
    );
  }
  const encoding = field('encoding') as CaptureEncoding;
  if (!encodings.includes(encoding)) {
    throw new CaptureRecordInvalidError(
      `captureData.${name}.encoding "${encoding}" is not one of ${encodings.join(', ')}`,
    );
  }
  const data = field('data');
  return {
    observedContentType: field('observedContentType'),
    mode,
    encoding,
    text: encoding === 'BASE64' ? decodeBase64(data, name) : data,
  };
}

function decodeBase64(data: string, name: string): string {
  const compact = data.replace(/\s+/g, '');
  // Buffer.from silently skips invalid characters; a damaged payload must be reported instead.
  if (compact.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(compact)) {
    throw new CaptureRecordInvalidError(`captureData.${name}.data is not valid base64`);
  }
  return Buffer.from(compact, 'base64').toString('utf8');
}

function requireObject(value: unknown, name: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new CaptureRecordInvalidError(`${name} is not an object`);
  }
  return value as Record<string, unknown>;
}

function requireString(value: unknown, name: string): string {
  if (typeof value !== 'string') {
    throw new CaptureRecordInvalidError(`${name} is missing or not a string`);
  }
  return value;
}
