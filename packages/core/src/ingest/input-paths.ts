import * as fs from 'node:fs';

/** Whether `input` is an existing folder (a missing path is not: it is reported when read). */
export function isDirectory(input: string): boolean {
  try {
    return fs.statSync(input).isDirectory();
  } catch {
    return false;
  }
}
