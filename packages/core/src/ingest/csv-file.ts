import { IngestContext } from './context';
import { splitCsvLine } from './csv-fields';
import { IngestFormatError } from './errors';
import { TextLine, readLines } from './line-reader';
import { InputFileRole } from './report';

/** How {@link readCsvFile} treats one file. */
export interface CsvFileReading {
  file: string;
  role: InputFileRole;
  /**
   * Given the header's fields, checks them (throwing {@link IngestFormatError} when a required
   * column is missing) and prepares the row handler. Absent for files without a header.
   */
  onHeader?: (header: string[]) => void;
  /** Fields every data row must have when the file has no header (with one, the header's). */
  fieldCount?: number;
  /**
   * Turns one data row (already split, with the right number of fields) into canonical rows.
   * Returns the reason when the row cannot be used; it must then have written nothing.
   */
  onRow: (fields: string[], line: TextLine) => string | undefined;
  /** Whether `limitRows` applies (it does to the events file only). */
  limited: boolean;
}

/**
 * Reads one CSV file line by line and accounts for every line: the header line (when
 * `onHeader` is given) is neither a row nor a bad row; every other line is either used by
 * `onRow` or recorded as a bad row with its reason. A last line without a line end that
 * fails to parse is reported as a truncated line, since files cut off by size end that way.
 */
export async function readCsvFile(context: IngestContext, reading: CsvFileReading): Promise<void> {
  const tally = context.startFile(reading.file, reading.role);
  let fieldCount = reading.fieldCount;
  let expectingHeader = reading.onHeader !== undefined;
  let unterminatedLastLineKept = 0;

  const summary = await readLines(
    reading.file,
    (line) => {
      if (expectingHeader) {
        // The header names the columns; it is not data, so it is neither counted nor a bad row.
        expectingHeader = false;
        const header = splitCsvLine(line.text);
        if (header.error !== undefined) {
          throw new IngestFormatError(reading.file, `unreadable header line: ${header.error}`);
        }
        fieldCount = header.fields.length;
        reading.onHeader?.(header.fields);
        return true;
      }

      if (reading.limited && context.rowLimitReached(tally)) return false;
      context.countRow(tally);
      const reason = rowProblem(line, fieldCount, reading.onRow);
      if (reason === undefined) {
        if (!line.terminated) unterminatedLastLineKept = line.lineNumber;
        return true;
      }
      const fullReason = line.terminated ? reason : `truncated last line (no line end): ${reason}`;
      context.badRow(tally, line.lineNumber, fullReason, line.text);
      return true;
    },
    (bytesRead) => context.progress(bytesRead),
  );

  if (expectingHeader) {
    throw new IngestFormatError(reading.file, 'the file is empty; expected a header line');
  }
  if (unterminatedLastLineKept > 0) {
    context.notes.push(
      `${reading.file}: the last line (${unterminatedLastLineKept}) has no line end; it parsed ` +
        'and was kept, but it may have been cut short',
    );
  }
  if (summary.stoppedEarly) {
    context.notes.push(
      `${reading.file}: stopped after ${tally.rowsRead} data rows (limitRows); the rest of the ` +
        'file was not read',
    );
  }
  context.finishFile(summary.bytesRead);
}

function rowProblem(
  line: TextLine,
  fieldCount: number | undefined,
  onRow: CsvFileReading['onRow'],
): string | undefined {
  if (line.text.trim() === '') return 'empty line';
  const split = splitCsvLine(line.text);
  if (split.error !== undefined) return split.error;
  if (fieldCount !== undefined && split.fields.length !== fieldCount) {
    return `wrong number of fields: expected ${fieldCount}, found ${split.fields.length}`;
  }
  return onRow(split.fields, line);
}
