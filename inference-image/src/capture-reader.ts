import * as fs from 'node:fs';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { InputNotFoundError } from '@gfr/core';

import { CaptureEncoding, CapturePayloadJson } from './capture-format';
import { CaptureRecordInvalidError } from './errors';

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

/** What {@link readCaptureRecords} found. */
export interface CaptureReadResult {
  records: LocatedCaptureRecord[];
  /** Capture files read, sorted (which, with SageMaker's key layout, is time order). */
  files: string[];
  /** Lines that were not records; blank lines are not counted. */
  malformedLines: number;
  /** The first {@link maximumReportedMalformedLines} of them with their reasons. */
  malformed: MalformedCaptureLine[];
}

/** How many malformed lines {@link readCaptureRecords} describes one by one. */
export const maximumReportedMalformedLines = 100;

const encodings: readonly CaptureEncoding[] = ['JSON', 'CSV', 'BASE64'];

/**
 * Reads every capture record of one `.jsonl` file or of every `.jsonl` file under a folder
 * (such as `<capture>/<endpoint>/<variant>/2026/12/03/`). Tolerant: a line that is not a
 * record is counted with its reason and skipped; only a missing location throws.
 */
export async function readCaptureRecords(location: string): Promise<CaptureReadResult> {
  if (!fs.existsSync(location)) throw new InputNotFoundError(location);
  const files = fs.statSync(location).isDirectory() ? listCaptureFiles(location) : [location];
  const result: CaptureReadResult = { records: [], files, malformedLines: 0, malformed: [] };

  for (const file of files) {
    const lines = readline.createInterface({
      input: fs.createReadStream(file, 'utf8'),
      crlfDelay: Infinity,
    });
    let line = 0;
    for await (const text of lines) {
      line += 1;
      if (text.trim() === '') continue;
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
  }
  return result;
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
  mode: CapturePayloadJson['mode'],
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

function listCaptureFiles(directory: string): string[] {
  const files: string[] = [];
  const visit = (folder: string) => {
    for (const entry of fs.readdirSync(folder, { withFileTypes: true })) {
      const full = path.join(folder, entry.name);
      if (entry.isDirectory()) visit(full);
      else if (entry.isFile() && entry.name.endsWith('.jsonl')) files.push(full);
    }
  };
  visit(directory);
  return files.sort();
}
