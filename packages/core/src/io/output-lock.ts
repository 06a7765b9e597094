import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { GfrError } from '../errors';
import {
  isProcessAlive,
  removeAbandonedPartials,
  restoreInterruptedReplacements,
  temporarySibling,
} from './atomic';

/**
 * Another gfr process holds the lock on an output: two runs writing the same files would
 * interleave them. The message names the holder and how to clear a lock left behind.
 */
export class OutputLockedError extends GfrError {
  constructor(
    readonly output: string,
    readonly lockFile: string,
    readonly holder: LockHolder | null,
  ) {
    super('OUTPUT_LOCKED', describeConflict(output, lockFile, holder));
  }
}

/** Who holds an output lock, as written in its lock file. */
export interface LockHolder {
  pid: number;
  hostname: string;
  /** What the holder runs, such as `gfr train`. */
  command: string;
  /** ISO time the lock was taken. */
  started_at: string;
  /**
   * The holder's start time in clock ticks after boot (Linux `/proc/<pid>/stat`), so that a
   * new process that reuses a dead holder's pid is not mistaken for it; null elsewhere.
   */
  process_start: string | null;
}

/** A held output lock; {@link OutputLock.release} removes it (also done when the process exits). */
export interface OutputLock {
  readonly output: string;
  readonly lockFile: string;
  /** Locks of dead processes removed, and swapped-out outputs restored, while acquiring. */
  readonly recovered: string[];
  release(): void;
}

/** The lock file of `output`: a hidden sibling, so it never lands inside a folder gfr replaces. */
export function outputLockFile(output: string): string {
  const resolved = path.resolve(output);
  return path.join(path.dirname(resolved), `.${path.basename(resolved)}.gfr-lock`);
}

/**
 * Takes the lock on an output path (a folder or a file) for this process, or throws
 * {@link OutputLockedError} naming the live holder. A lock whose holder is dead (same host, no
 * such process, or a different process under the reused pid) is stale: it is removed, and the
 * output's own replacements that the dead holder left half-done are restored. The lock file is
 * created complete or not at all (written to a temporary name, then hard-linked into place,
 * which fails if it exists), and removed by `release` or when the process exits.
 */
export function acquireOutputLock(output: string, command: string): OutputLock {
  const resolved = path.resolve(output);
  const lockFile = outputLockFile(resolved);
  fs.mkdirSync(path.dirname(lockFile), { recursive: true });
  removeAbandonedPartials(lockFile);
  const holder: LockHolder = {
    pid: process.pid,
    hostname: os.hostname(),
    command,
    started_at: new Date().toISOString(),
    process_start: processStart(process.pid),
  };
  const recovered: string[] = [];

  // Two attempts: the second follows the removal of a stale lock.
  for (let attempt = 0; attempt < 2; attempt += 1) {
    if (tryCreate(lockFile, holder)) {
      recovered.push(...recoverOutput(resolved));
      return heldLock(resolved, lockFile, recovered);
    }
    const current = readHolder(lockFile);
    if (current === 'missing') continue;
    if (current === null || !isStale(current)) {
      throw new OutputLockedError(resolved, lockFile, current);
    }
    if (removeStaleLock(lockFile, current)) recovered.push(lockFile);
  }
  throw new OutputLockedError(resolved, lockFile, asHolder(readHolder(lockFile)));
}

/** Runs `work` holding the lock on `output`; the lock is released however `work` ends. */
export async function withOutputLock<T>(
  output: string,
  command: string,
  work: (lock: OutputLock) => Promise<T>,
): Promise<T> {
  const lock = acquireOutputLock(output, command);
  try {
    return await work(lock);
  } finally {
    lock.release();
  }
}

function tryCreate(lockFile: string, holder: LockHolder): boolean {
  const temporary = temporarySibling(lockFile);
  fs.writeFileSync(temporary, JSON.stringify(holder, null, 2) + '\n');
  try {
    fs.linkSync(temporary, lockFile);
    return true;
  } catch (error) {
    if ((error as { code?: string }).code === 'EEXIST') return false;
    throw error;
  } finally {
    fs.rmSync(temporary, { force: true });
  }
}

/** Signals after which a lock is removed before the process ends (Ctrl-C, `kill`). */
const releasingSignals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];

function heldLock(output: string, lockFile: string, recovered: string[]): OutputLock {
  let held = true;
  const release = () => {
    if (!held) return;
    held = false;
    process.removeListener('exit', release);
    for (const signal of releasingSignals) process.removeListener(signal, onSignal);
    // Only our own lock is removed: a lock broken as stale by mistake may belong to another.
    const current = readHolder(lockFile);
    if (current !== 'missing' && current?.pid === process.pid) fs.rmSync(lockFile, { force: true });
  };
  // A signal's default action ends the process without 'exit' listeners: remove the lock, then
  // raise the signal again so that the process ends as it would have, unless someone else
  // (a server's graceful shutdown, say) listens for it too.
  const onSignal = (signal: NodeJS.Signals) => {
    release();
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  };
  process.on('exit', release);
  for (const signal of releasingSignals) process.on(signal, onSignal);
  return { output, lockFile, recovered, release };
}

/** The lock's holder; null when the file is unreadable, 'missing' when it is gone. */
function readHolder(lockFile: string): LockHolder | null | 'missing' {
  let text: string;
  try {
    text = fs.readFileSync(lockFile, 'utf8');
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return 'missing';
    return null;
  }
  try {
    const parsed = JSON.parse(text) as Partial<LockHolder>;
    if (typeof parsed.pid !== 'number' || typeof parsed.hostname !== 'string') return null;
    return {
      pid: parsed.pid,
      hostname: parsed.hostname,
      command: String(parsed.command ?? 'gfr'),
      started_at: String(parsed.started_at ?? ''),
      process_start: typeof parsed.process_start === 'string' ? parsed.process_start : null,
    };
  } catch {
    return null;
  }
}

function asHolder(value: LockHolder | null | 'missing'): LockHolder | null {
  return value === 'missing' ? null : value;
}

/**
 * Whether the holder is certainly gone. A lock of another host cannot be checked and is never
 * stale: clearing it is the user's call, the error says how.
 */
function isStale(holder: LockHolder): boolean {
  if (holder.hostname !== os.hostname()) return false;
  if (holder.pid === process.pid) return false;
  if (!isProcessAlive(holder.pid)) return true;
  const start = processStart(holder.pid);
  return holder.process_start !== null && start !== null && start !== holder.process_start;
}

/**
 * Removes a stale lock unless another process replaced it meanwhile: the file is moved aside
 * first (one process wins the rename) and checked to be the stale holder's before deletion.
 */
function removeStaleLock(lockFile: string, stale: LockHolder): boolean {
  const aside = temporarySibling(lockFile);
  try {
    fs.renameSync(lockFile, aside);
  } catch {
    return false;
  }
  const moved = readHolder(aside);
  if (moved !== 'missing' && moved !== null && moved.pid !== stale.pid) {
    // A live holder's lock was taken in between: put it back unless yet another appeared.
    try {
      fs.linkSync(aside, lockFile);
    } catch {
      // Another process holds a fresh lock now; the next attempt will report it.
    }
    fs.rmSync(aside, { force: true });
    return false;
  }
  fs.rmSync(aside, { force: true });
  return true;
}

/** Field 22 of `/proc/<pid>/stat` (start time after boot), or null where there is no /proc. */
function processStart(pid: number): string | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count from the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19] ?? null;
  } catch {
    return null;
  }
}

/** Restores outputs a dead holder swapped out, in the output folder and beside it. */
function recoverOutput(output: string): string[] {
  const restored = restoreInterruptedReplacements(path.dirname(output));
  if (fs.existsSync(output) && fs.statSync(output).isDirectory()) {
    restored.push(...restoreInterruptedReplacements(output));
  }
  return restored;
}

function describeConflict(output: string, lockFile: string, holder: LockHolder | null): string {
  if (holder === null) {
    return (
      `${output} is locked by another gfr run (${lockFile} exists but cannot be read); if no gfr ` +
      `process is writing there, delete ${lockFile} and run again`
    );
  }
  const where = holder.hostname === os.hostname() ? '' : ` on host ${holder.hostname}`;
  return (
    `${output} is in use by another gfr run: \`${holder.command}\` (pid ${holder.pid}${where}, ` +
    `since ${holder.started_at}); wait for it to finish or choose another output. If that ` +
    `process no longer runs, delete ${lockFile} and run again`
  );
}
