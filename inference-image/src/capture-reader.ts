import * as fs from 'node:fs';
import * as path from 'node:path';
import * as readline from 'node:readline';
import {
  CaptureReadResult,
  InputNotFoundError,
  addCaptureLine,
  emptyCaptureReadResult,
} from '@gfr/core';

// The record types and the parser live in core, where the drift-check Lambda reads them too.
export {
  parseCaptureRecord,
  maximumReportedMalformedLines,
  type CapturePayload,
  type CaptureRecord,
  type CaptureReadResult,
  type LocatedCaptureRecord,
  type MalformedCaptureLine,
} from '@gfr/core';

/**
 * Reads every capture record of one `.jsonl` file or of every `.jsonl` file under a folder
 * (such as `<capture>/<endpoint>/<variant>/2026/12/03/`). Tolerant: a line that is not a
 * record is counted with its reason and skipped; only a missing location throws.
 */
export async function readCaptureRecords(location: string): Promise<CaptureReadResult> {
  if (!fs.existsSync(location)) throw new InputNotFoundError(location);
  const files = fs.statSync(location).isDirectory() ? listCaptureFiles(location) : [location];
  const result: CaptureReadResult = { ...emptyCaptureReadResult(), files };

  for (const file of files) {
    const lines = readline.createInterface({
      input: fs.createReadStream(file, 'utf8'),
      crlfDelay: Infinity,
    });
    let line = 0;
    for await (const text of lines) {
      line += 1;
      addCaptureLine(result, text, file, line);
    }
  }
  return result;
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
