import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { ExperimentLogError } from './errors';
import {
  ExposureRecord,
  OutcomeRecord,
  ParsedLine,
  parseExposureLine,
  parseOutcomeLine,
} from './records';
import { MalformedLine } from './report';

/**
 * The layout of an experiment's logs, the same under a local folder and an S3 bucket:
 *
 *   experiments/<name>/experiment.json                         the definition
 *   experiments/<name>/exposures/date=YYYY-MM-DD/part-<writer>.jsonl
 *   experiments/<name>/outcomes/date=YYYY-MM-DD/part-<writer>.jsonl
 *
 * Each writer (process) appends to its own part files, so writers never share a file; the
 * `date=` partition is the UTC day of the record's time (Athena and Glue read it as a column).
 */
export function experimentPrefix(name: string): string {
  return `experiments/${name}`;
}

/** File name of the definition beside the logs. */
export const definitionFileName = 'experiment.json';

/** Options of {@link ExperimentLogWriter}. */
export interface ExperimentLogWriterOptions {
  /** Root folder; the logs go under `<root>/experiments/<name>/`. */
  root: string;
  experiment: string;
  /** Part-file suffix (default: random hex); one writer per process keeps files unshared. */
  writerId?: string;
}

/**
 * Appends exposure and outcome records as JSON lines. Files are append-only and never
 * rewritten: a process that dies mid-line leaves a truncated last line, which the reader
 * reports as malformed with file and line instead of dropping it. Call {@link close} at the end.
 */
export class ExperimentLogWriter {
  readonly directory: string;
  private readonly writerId: string;
  private readonly descriptors = new Map<string, number>();

  constructor(options: ExperimentLogWriterOptions) {
    this.directory = path.join(options.root, experimentPrefix(options.experiment));
    this.writerId = options.writerId ?? randomBytes(4).toString('hex');
  }

  /** Appends one exposure to its day's part file. */
  writeExposure(record: ExposureRecord): void {
    this.append('exposures', record.time, record);
  }

  /** Appends one outcome to its day's part file. */
  writeOutcome(record: OutcomeRecord): void {
    this.append('outcomes', record.time, record);
  }

  /** Closes every open part file. */
  close(): void {
    for (const descriptor of this.descriptors.values()) fs.closeSync(descriptor);
    this.descriptors.clear();
  }

  private append(kind: 'exposures' | 'outcomes', time: string, record: object): void {
    const day = time.slice(0, 10);
    const file = path.join(this.directory, kind, `date=${day}`, `part-${this.writerId}.jsonl`);
    let descriptor = this.descriptors.get(file);
    try {
      if (descriptor === undefined) {
        fs.mkdirSync(path.dirname(file), { recursive: true });
        descriptor = fs.openSync(file, 'a');
        this.descriptors.set(file, descriptor);
      }
      fs.writeSync(descriptor, JSON.stringify(record) + '\n');
    } catch (error) {
      throw new ExperimentLogError(file, 'cannot append', { cause: error });
    }
  }
}

/** Records read from log files, with every line that could not be read. */
export interface ReadRecords<T> {
  records: T[];
  files: string[];
  malformed: MalformedLine[];
}

/** Reads exposures from a `.jsonl` file or every `.jsonl` file under a folder. */
export function readExposures(location: string): ReadRecords<ExposureRecord> {
  return readRecords(location, parseExposureLine);
}

/** Reads outcomes from a `.jsonl` file or every `.jsonl` file under a folder. */
export function readOutcomes(location: string): ReadRecords<OutcomeRecord> {
  return readRecords(location, parseOutcomeLine);
}

/** `.jsonl` files at `location` (itself, or under it recursively), in path order. */
export function listLogFiles(location: string): string[] {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(location);
  } catch (error) {
    throw new ExperimentLogError(location, 'not found or unreadable', { cause: error });
  }
  if (stat.isFile()) return [location];
  const files = fs
    .readdirSync(location, { recursive: true, encoding: 'utf8' })
    .filter((entry) => entry.endsWith('.jsonl'))
    .map((entry) => path.join(location, entry))
    .sort();
  if (files.length === 0) throw new ExperimentLogError(location, 'holds no .jsonl file');
  return files;
}

function readRecords<T>(location: string, parse: (text: string) => ParsedLine<T>): ReadRecords<T> {
  const files = listLogFiles(location);
  const records: T[] = [];
  const malformed: MalformedLine[] = [];
  for (const file of files) {
    // Whole files at a time: part files are per day and writer, so each stays modest.
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    lines.forEach((text, index) => {
      if (text.trim() === '') return;
      const parsed = parse(text);
      if ('record' in parsed) records.push(parsed.record);
      else malformed.push({ file, line: index + 1, ...parsed.problem });
    });
  }
  return { records, files, malformed };
}
