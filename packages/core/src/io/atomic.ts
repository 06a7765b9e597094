import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { GfrError } from '../errors';

/**
 * An output folder holds files gfr did not write there, so replacing it would destroy them; or
 * the output path is an existing file where a folder is expected.
 */
export class OutputNotReplaceableError extends GfrError {
  constructor(
    readonly target: string,
    message: string,
  ) {
    super('OUTPUT_NOT_REPLACEABLE', `${target}: ${message}`);
  }
}

/** Options of {@link produceAtomically}. */
export interface ProduceOptions {
  /**
   * For a folder output: the only entries an existing folder at the target may hold for gfr to
   * replace it. Anything else (a user's log, notes, another tool's output) makes it refuse
   * before doing any work. Without this list, an existing non-empty folder is refused.
   */
  replaceableEntries?: readonly string[];
}

/**
 * A temporary path beside `target`, on the same file system so that the final rename is atomic.
 * The name starts with a dot and carries `.partial` so nobody mistakes it for a finished file.
 */
export function temporarySibling(target: string): string {
  const suffix = `${process.pid}-${randomBytes(4).toString('hex')}`;
  return path.join(path.dirname(target), `.${path.basename(target)}.${suffix}.partial`);
}

/**
 * Writes `data` to `target` atomically: a temporary sibling first, flushed to the disk, then a
 * rename over it. A reader sees the old file or the new one, whole, even after a power cut.
 */
export function writeFileAtomic(target: string, data: string | Uint8Array): void {
  fs.mkdirSync(path.dirname(target), { recursive: true });
  removeAbandonedPartials(target);
  const temporary = temporarySibling(target);
  try {
    const descriptor = fs.openSync(temporary, 'w');
    try {
      fs.writeFileSync(descriptor, data);
      fs.fsyncSync(descriptor);
    } finally {
      fs.closeSync(descriptor);
    }
    fs.renameSync(temporary, target);
    flushDirectory(path.dirname(target));
  } catch (error) {
    fs.rmSync(temporary, { force: true });
    throw error;
  }
}

/**
 * Flushes a produced file, or every file of a produced folder and the folder itself, to the
 * disk before it is renamed into place: after a power cut the renamed output is whole, not a
 * name pointing at blocks never written.
 */
function flushToDisk(location: string): void {
  if (fs.statSync(location).isDirectory()) {
    for (const entry of fs.readdirSync(location)) flushToDisk(path.join(location, entry));
    flushDirectory(location);
    return;
  }
  const descriptor = fs.openSync(location, 'r');
  try {
    fs.fsyncSync(descriptor);
  } finally {
    fs.closeSync(descriptor);
  }
}

/** Flushes a folder's entries (a rename into it) to the disk, where the platform allows it. */
function flushDirectory(directory: string): void {
  let descriptor: number;
  try {
    descriptor = fs.openSync(directory, 'r');
  } catch {
    // Windows cannot open a folder; its renames are journaled by NTFS.
    return;
  }
  try {
    fs.fsyncSync(descriptor);
  } catch {
    // Some file systems do not support flushing a folder; the rename stands as written.
  } finally {
    fs.closeSync(descriptor);
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
  options: ProduceOptions = {},
): Promise<T> {
  assertReplaceable(target, options);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const temporary = temporarySibling(target);
  removeAbandonedPartials(target);
  try {
    const result = await produce(temporary);
    if (fs.existsSync(temporary)) flushToDisk(temporary);
    replacePath(temporary, target);
    flushDirectory(path.dirname(target));
    return result;
  } catch (error) {
    fs.rmSync(temporary, { recursive: true, force: true });
    throw error;
  }
}

/**
 * Removes temporary siblings of `target` left by gfr processes that died mid-write (killed, or
 * interrupted with Ctrl-C). Their names carry the writer's process id; a live writer's are kept.
 * A swapped-out previous folder (`.partial.old`) whose replacement never arrived is put back
 * at `target` instead: the writer died between its two renames.
 */
export function removeAbandonedPartials(target: string): string[] {
  const directory = path.dirname(target);
  if (!fs.existsSync(directory)) return [];
  restoreInterruptedReplacements(directory);
  const prefix = `.${path.basename(target)}.`;
  const removed: string[] = [];
  for (const entry of fs.readdirSync(directory)) {
    const match = entry.startsWith(prefix) && /\.(\d+)-[0-9a-f]+\.partial(\.old)?$/.exec(entry);
    if (!match || isProcessAlive(Number(match[1]))) continue;
    fs.rmSync(path.join(directory, entry), { recursive: true, force: true });
    removed.push(entry);
  }
  return removed;
}

/**
 * Replacing a folder takes two renames (the old one aside, the new one in); a process killed
 * between them leaves no folder at the target and the previous one under a `.partial.old` name.
 * This renames such previous folders of dead writers in `directory` back to their targets and
 * returns the targets restored.
 */
export function restoreInterruptedReplacements(directory: string): string[] {
  if (!fs.existsSync(directory)) return [];
  const restored: string[] = [];
  for (const entry of fs.readdirSync(directory)) {
    const match = /^\.(.+)\.(\d+)-[0-9a-f]+\.partial\.old$/.exec(entry);
    if (!match || isProcessAlive(Number(match[2]))) continue;
    const target = path.join(directory, match[1]);
    if (fs.existsSync(target)) continue;
    fs.renameSync(path.join(directory, entry), target);
    restored.push(target);
  }
  return restored;
}

/** Whether a process with this id runs (on this host); this process counts as running. */
export function isProcessAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: string }).code === 'EPERM';
  }
}

/** Throws {@link OutputNotReplaceableError} when `target` holds something gfr must not replace. */
export function assertReplaceable(target: string, options: ProduceOptions = {}): void {
  if (!fs.existsSync(target) || !fs.statSync(target).isDirectory()) return;
  const allowed = new Set(options.replaceableEntries ?? []);
  const foreign = fs.readdirSync(target).filter((entry) => !allowed.has(entry));
  if (foreign.length === 0) return;
  const listed = foreign.slice(0, 5).join(', ') + (foreign.length > 5 ? ', …' : '');
  throw new OutputNotReplaceableError(
    target,
    `the folder holds files gfr did not write (${listed}); choose a new or empty folder`,
  );
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
