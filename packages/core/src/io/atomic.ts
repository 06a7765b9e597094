import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * A temporary path beside `target`, on the same file system so that the final rename is atomic.
 * The name starts with a dot and carries `.partial` so nobody mistakes it for a finished file.
 */
export function temporarySibling(target: string): string {
  const suffix = `${process.pid}-${randomBytes(4).toString('hex')}`;
  return path.join(path.dirname(target), `.${path.basename(target)}.${suffix}.partial`);
}

/** Writes `data` to `target` atomically: a temporary sibling first, then a rename over it. */
export function writeFileAtomic(target: string, data: string | Uint8Array): void {
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const temporary = temporarySibling(target);
  try {
    fs.writeFileSync(temporary, data);
    fs.renameSync(temporary, target);
  } catch (error) {
    fs.rmSync(temporary, { force: true });
    throw error;
  }
}

/**
 * Runs `produce` with a temporary sibling path of `target` and renames the result over `target`
 * only if `produce` succeeds; on failure nothing is left behind. Works for files and folders
 * (an existing folder at `target` is replaced as a whole, after the new one is complete).
 */
export async function produceAtomically<T>(
  target: string,
  produce: (temporaryPath: string) => Promise<T>,
): Promise<T> {
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const temporary = temporarySibling(target);
  try {
    const result = await produce(temporary);
    replacePath(temporary, target);
    return result;
  } catch (error) {
    fs.rmSync(temporary, { recursive: true, force: true });
    throw error;
  }
}

/** Moves `source` onto `target`; a folder already at `target` is swapped out, then removed. */
function replacePath(source: string, target: string): void {
  if (fs.existsSync(target) && fs.statSync(target).isDirectory()) {
    const retired = temporarySibling(target) + '.old';
    fs.renameSync(target, retired);
    fs.renameSync(source, target);
    fs.rmSync(retired, { recursive: true, force: true });
    return;
  }
  fs.renameSync(source, target);
}
