import * as fs from 'node:fs';

/** One line of a text file, without its line end (`\n` or `\r\n`). */
export interface TextLine {
  /** The line's text, decoded as UTF-8, with a leading byte order mark removed on line 1. */
  text: string;
  /** 1-based line number in the file. */
  lineNumber: number;
  /**
   * Whether the line ended with a line break. Only the last line of a file can lack one; when it
   * does, the file may have been cut off in the middle of that line.
   */
  terminated: boolean;
}

/** Called for each line; returning `false` stops reading (the rest of the file is not read). */
export type LineHandler = (line: TextLine) => boolean | void;

/** What {@link readLines} saw. */
export interface LineReadSummary {
  /** Lines handed to the handler. */
  lines: number;
  /** Bytes consumed from the file (the whole file unless the handler stopped early). */
  bytesRead: number;
  /** Whether the handler stopped the reading before the end of the file. */
  stoppedEarly: boolean;
}

const newline = 0x0a;
const carriageReturn = 0x0d;
const byteOrderMark = '\ufeff';
/** Large reads keep the per-chunk overhead small; 1 MiB of lines is cheap to hold. */
const chunkBytes = 1 << 20;

/**
 * Streams a file line by line, handling `\n` and `\r\n` line ends, without holding the file in
 * memory. Lines are split on the byte 0x0A, which never occurs inside a multi-byte UTF-8
 * character, so a chunk boundary cannot cut a character in two. The handler runs synchronously
 * for every line of a chunk, which is much faster than one promise per line.
 * `onChunk(bytesRead)` reports progress after every chunk.
 */
export async function readLines(
  filePath: string,
  onLine: LineHandler,
  onChunk?: (bytesRead: number) => void,
): Promise<LineReadSummary> {
  const stream = fs.createReadStream(filePath, { highWaterMark: chunkBytes });
  let pending: Buffer = Buffer.alloc(0);
  let lineNumber = 0;
  let bytesRead = 0;
  let stopped = false;

  const emit = (buffer: Buffer, start: number, end: number, terminated: boolean): boolean => {
    let stop = end;
    if (terminated && stop > start && buffer[stop - 1] === carriageReturn) stop--;
    let text = buffer.toString('utf8', start, stop);
    lineNumber++;
    if (lineNumber === 1 && text.startsWith(byteOrderMark)) text = text.slice(1);
    return onLine({ text, lineNumber, terminated }) !== false;
  };

  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      bytesRead += chunk.length;
      const buffer = pending.length > 0 ? Buffer.concat([pending, chunk]) : chunk;
      let start = 0;
      let end = buffer.indexOf(newline, start);
      while (end !== -1) {
        if (!emit(buffer, start, end, true)) {
          stopped = true;
          break;
        }
        start = end + 1;
        end = buffer.indexOf(newline, start);
      }
      if (stopped) break;
      // Copy the unfinished tail so the next chunk's buffer does not pin this whole chunk.
      pending = Buffer.from(buffer.subarray(start));
      onChunk?.(bytesRead);
    }
    // A handler asking to stop on the very last line changes nothing: the file is read.
    if (!stopped && pending.length > 0) emit(pending, 0, pending.length, false);
  } finally {
    stream.destroy();
  }

  onChunk?.(bytesRead);
  return { lines: lineNumber, bytesRead, stoppedEarly: stopped };
}
