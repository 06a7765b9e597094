import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Logger, silentLogger } from '@gfr/core';

import {
  CaptureEncoding,
  CapturePayloadJson,
  CaptureRecordJson,
  hourKey,
  mediaType,
} from './capture-format';
import { ServeConfigurationError } from './errors';

/** What the server hands to {@link DataCaptureWriter.capture} for one invocation. */
export interface CapturedExchange {
  input: { contentType: string; body: Uint8Array | string };
  output: { contentType: string; body: Uint8Array | string };
  /** The caller's `X-Amzn-SageMaker-Inference-Id`, when it set one. */
  inferenceId?: string;
  /** When the invocation happened; default: now. */
  time?: Date;
}

/** Options of {@link DataCaptureWriter}. */
export interface DataCaptureOptions {
  /** Root of the capture tree, the local twin of `DestinationS3Uri`. */
  directory: string;
  /** First key level. @default 'local-endpoint' */
  endpointName?: string;
  /** Second key level. @default 'AllTraffic' (SageMaker's default variant name) */
  variantName?: string;
  /** Share of invocations captured, in percent, 0–100. @default 100 */
  samplePercent?: number;
  /** Media types stored as raw text with encoding JSON. @default ['application/json'] */
  jsonContentTypes?: string[];
  /** Media types stored as raw text with encoding CSV. @default ['text/csv'] */
  csvContentTypes?: string[];
  /** Uniform random numbers in [0, 1) deciding the sample. @default Math.random */
  random?: () => number;
  /**
   * Records waiting for the disk beyond this many bytes are dropped and counted, the way
   * SageMaker pauses capture rather than slow the endpoint. @default 64 MiB
   */
  maxQueuedBytes?: number;
  logger?: Logger;
}

/** Counts of a {@link DataCaptureWriter} since it started. */
export interface DataCaptureStats {
  /** Invocations chosen by the sample. */
  sampled: number;
  /** Invocations the sample left out. */
  skipped: number;
  /** Records appended to a file. */
  written: number;
  /** Records lost: queue over its limit or a failed write (logged). */
  dropped: number;
}

interface QueuedRecord {
  hour: string;
  time: Date;
  line: string;
}

/**
 * Appends sampled invocations to `<directory>/<endpoint>/<variant>/yyyy/mm/dd/hh/
 * <mm-ss-mmm-uuid>.jsonl` (UTC). {@link capture} only queues the record; a single background
 * loop appends queued records in batches, so a response never waits for the disk. A new file
 * starts with each hour.
 */
export class DataCaptureWriter {
  private readonly endpointDirectory: string;
  private readonly samplePercent: number;
  private readonly jsonTypes: Set<string>;
  private readonly csvTypes: Set<string>;
  private readonly random: () => number;
  private readonly maxQueuedBytes: number;
  private readonly logger: Logger;
  private queue: QueuedRecord[] = [];
  private queuedBytes = 0;
  private draining: Promise<void> | null = null;
  private currentFile: { hour: string; path: string } | null = null;
  private closed = false;
  private readonly counts: DataCaptureStats = { sampled: 0, skipped: 0, written: 0, dropped: 0 };

  constructor(options: DataCaptureOptions) {
    this.samplePercent = options.samplePercent ?? 100;
    if (!(this.samplePercent >= 0 && this.samplePercent <= 100)) {
      throw new ServeConfigurationError(
        `capture sample percentage must be within 0–100, got ${options.samplePercent}`,
      );
    }
    const endpoint = options.endpointName ?? 'local-endpoint';
    const variant = options.variantName ?? 'AllTraffic';
    for (const [name, value] of [
      ['endpoint name', endpoint],
      ['variant name', variant],
    ]) {
      if (!/^[A-Za-z0-9](-*[A-Za-z0-9])*$/.test(value)) {
        throw new ServeConfigurationError(
          `capture ${name} "${value}" is not a SageMaker name (letters, digits, hyphens)`,
        );
      }
    }
    this.endpointDirectory = path.join(options.directory, endpoint, variant);
    this.jsonTypes = new Set((options.jsonContentTypes ?? ['application/json']).map(mediaType));
    this.csvTypes = new Set((options.csvContentTypes ?? ['text/csv']).map(mediaType));
    this.random = options.random ?? Math.random;
    this.maxQueuedBytes = options.maxQueuedBytes ?? 64 * 1024 * 1024;
    this.logger = (options.logger ?? silentLogger).child({ component: 'data-capture' });
  }

  /** Counts so far (a copy). */
  get stats(): DataCaptureStats {
    return { ...this.counts };
  }

  /**
   * Samples the invocation and, when chosen, queues its record for the background writer.
   * Returns whether it was chosen. Never throws and never waits for the disk.
   */
  capture(exchange: CapturedExchange): boolean {
    if (this.closed || !(this.random() * 100 < this.samplePercent)) {
      this.counts.skipped += 1;
      return false;
    }
    this.counts.sampled += 1;

    const time = exchange.time ?? new Date();
    const record: CaptureRecordJson = {
      captureData: {
        endpointInput: this.payload('INPUT', exchange.input.contentType, exchange.input.body),
        endpointOutput: this.payload('OUTPUT', exchange.output.contentType, exchange.output.body),
      },
      eventMetadata: {
        eventId: randomUUID(),
        ...(exchange.inferenceId ? { inferenceId: exchange.inferenceId } : {}),
        // SageMaker writes whole seconds.
        inferenceTime: time.toISOString().replace(/\.\d{3}Z$/, 'Z'),
      },
      eventVersion: '0',
    };
    const line = JSON.stringify(record) + '\n';
    if (this.queuedBytes + line.length > this.maxQueuedBytes) {
      this.counts.dropped += 1;
      this.logger.warn('capture queue full: record dropped', { queued_bytes: this.queuedBytes });
      return true;
    }
    this.queue.push({ hour: hourKey(time), time, line });
    this.queuedBytes += line.length;
    this.draining ??= this.drain();
    return true;
  }

  /** Resolves once every record queued so far is appended (or dropped after a failed write). */
  async flush(): Promise<void> {
    while (this.draining) await this.draining;
  }

  /** Stops sampling, then flushes. */
  async close(): Promise<void> {
    this.closed = true;
    await this.flush();
  }

  private payload(
    mode: 'INPUT' | 'OUTPUT',
    contentType: string,
    body: Uint8Array | string,
  ): CapturePayloadJson {
    const type = mediaType(contentType);
    const encoding: CaptureEncoding = this.jsonTypes.has(type)
      ? 'JSON'
      : this.csvTypes.has(type)
        ? 'CSV'
        : 'BASE64';
    const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body);
    const data = encoding === 'BASE64' ? bytes.toString('base64') : bytes.toString('utf8');
    return { observedContentType: contentType, mode, data, encoding };
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.queue;
        this.queue = [];
        this.queuedBytes = 0;
        await this.append(batch);
      }
    } finally {
      this.draining = null;
    }
  }

  /** Appends a batch, one write per run of records in the same hour. */
  private async append(batch: QueuedRecord[]): Promise<void> {
    let start = 0;
    while (start < batch.length) {
      let end = start + 1;
      while (end < batch.length && batch[end].hour === batch[start].hour) end += 1;
      const run = batch.slice(start, end);
      try {
        const file = await this.fileFor(run[0]);
        await fs.promises.appendFile(file, run.map((record) => record.line).join(''));
        this.counts.written += run.length;
      } catch (error) {
        this.counts.dropped += run.length;
        this.currentFile = null;
        this.logger.warn('capture write failed: records dropped', {
          records: run.length,
          error: String(error),
        });
      }
      start = end;
    }
  }

  private async fileFor(record: QueuedRecord): Promise<string> {
    if (this.currentFile?.hour !== record.hour) {
      const directory = path.join(this.endpointDirectory, record.hour);
      await fs.promises.mkdir(directory, { recursive: true });
      const iso = record.time.toISOString();
      const name = `${iso.slice(14, 16)}-${iso.slice(17, 19)}-${iso.slice(20, 23)}-${randomUUID()}`;
      this.currentFile = { hour: record.hour, path: path.join(directory, `${name}.jsonl`) };
    }
    return this.currentFile.path;
  }
}
