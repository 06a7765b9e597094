import * as path from 'node:path';
import { CaptureEncoding } from '@gfr/core';

/**
 * The SageMaker Data Capture record format (Developer Guide, "Capture data"; reference
 * model-format-and-containers.md §10): one JSON line per sampled invocation holding the whole
 * request and response, under `<prefix>/<endpoint>/<variant>/yyyy/mm/dd/hh/<mm-ss-mmm-uuid>.jsonl`.
 */

export type { CaptureEncoding } from '@gfr/core';

/** One side of a captured invocation, as SageMaker stores it. */
export interface CapturePayloadJson {
  observedContentType: string;
  mode: 'INPUT' | 'OUTPUT';
  data: string;
  encoding: CaptureEncoding;
}

/** One line of a capture file: a whole invocation, request and response. */
export interface CaptureRecordJson {
  captureData: { endpointInput?: CapturePayloadJson; endpointOutput?: CapturePayloadJson };
  eventMetadata: { eventId: string; inferenceId?: string; inferenceTime: string };
  eventVersion: string;
}

/** `yyyy/mm/dd/hh` of a time in UTC, as a relative path. */
export function hourKey(time: Date): string {
  const iso = time.toISOString();
  return path.join(iso.slice(0, 4), iso.slice(5, 7), iso.slice(8, 10), iso.slice(11, 13));
}

/** `Application/JSON; charset=utf-8` → `application/json`. */
export function mediaType(contentType: string): string {
  return contentType.split(';', 1)[0].trim().toLowerCase();
}
