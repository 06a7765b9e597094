import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import {
  OutputLockedError,
  acquireOutputLock,
  outputLockFile,
  withOutputLock,
} from './output-lock';

function scratch(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'gfr-lock-'));
}

/** The pid of a process that has exited. */
function deadPid(): number {
  const finished = spawnSync(process.execPath, ['-e', '0']);
  return finished.pid!;
}

/** A live process other than this one, stopped by the test. */
function liveProcess(): ChildProcess {
  return spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
}

function writeLock(output: string, holder: Record<string, unknown>): string {
  const lockFile = outputLockFile(output);
  fs.writeFileSync(lockFile, JSON.stringify(holder));
  return lockFile;
}

test('the lock is a hidden sibling file naming this process, removed on release', () => {
  const output = path.join(scratch(), 'run');

  const lock = acquireOutputLock(output, 'gfr train');

  expect(lock.lockFile).toBe(path.join(path.dirname(output), '.run.gfr-lock'));
  const holder = JSON.parse(fs.readFileSync(lock.lockFile, 'utf8'));
  expect(holder).toMatchObject({ pid: process.pid, hostname: os.hostname(), command: 'gfr train' });
  lock.release();
  expect(fs.existsSync(lock.lockFile)).toBe(false);
});

test('a second run on a locked output is refused, naming the holder, its pid and the cure', () => {
  const output = path.join(scratch(), 'run');
  const child = liveProcess();
  try {
    const lockFile = writeLock(output, {
      pid: child.pid,
      hostname: os.hostname(),
      command: 'gfr quickstart',
      started_at: '2026-12-03T10:00:00.000Z',
      process_start: null,
    });

    const attempt = () => acquireOutputLock(output, 'gfr train');

    expect(attempt).toThrow(OutputLockedError);
    expect(attempt).toThrow(
      `${output} is in use by another gfr run: \`gfr quickstart\` (pid ${child.pid}, since ` +
        `2026-12-03T10:00:00.000Z); wait for it to finish or choose another output. If that ` +
        `process no longer runs, delete ${lockFile} and run again`,
    );
    expect(JSON.parse(fs.readFileSync(lockFile, 'utf8')).pid).toBe(child.pid);
  } finally {
    child.kill();
  }
});

test('the same process cannot take its own lock twice', () => {
  const output = path.join(scratch(), 'run');
  const lock = acquireOutputLock(output, 'gfr train');
  expect(() => acquireOutputLock(output, 'gfr train')).toThrow(`(pid ${process.pid}`);
  lock.release();
});

test('a lock left by a dead process is stale: removed, and the output taken', () => {
  const output = path.join(scratch(), 'run');
  const pid = deadPid();
  const lockFile = writeLock(output, { pid, hostname: os.hostname(), command: 'gfr train' });

  const lock = acquireOutputLock(output, 'gfr train');

  expect(lock.recovered).toEqual([lockFile]);
  expect(JSON.parse(fs.readFileSync(lockFile, 'utf8')).pid).toBe(process.pid);
  lock.release();
});

test('a live process that reused a dead holder’s pid does not keep the lock', () => {
  const output = path.join(scratch(), 'run');
  const child = liveProcess();
  try {
    writeLock(output, {
      pid: child.pid,
      hostname: os.hostname(),
      command: 'gfr train',
      process_start: '1',
    });

    const lock = acquireOutputLock(output, 'gfr train');

    expect(lock.recovered).toHaveLength(1);
    lock.release();
  } finally {
    child.kill();
  }
});

test('a lock of another host is never broken: the error names the host', () => {
  const output = path.join(scratch(), 'run');
  writeLock(output, { pid: deadPid(), hostname: 'build-7', command: 'gfr train' });

  expect(() => acquireOutputLock(output, 'gfr train')).toThrow(/ on host build-7, since /);
});

test('an unreadable lock file is refused with how to clear it', () => {
  const output = path.join(scratch(), 'run');
  const lockFile = outputLockFile(output);
  fs.writeFileSync(lockFile, '{"pid":');

  expect(() => acquireOutputLock(output, 'gfr train')).toThrow(
    `${output} is locked by another gfr run (${lockFile} exists but cannot be read); if no gfr ` +
      `process is writing there, delete ${lockFile} and run again`,
  );
});

test('taking the lock restores an output folder a killed holder had swapped out', () => {
  const dir = scratch();
  const output = path.join(dir, 'run');
  const swappedOut = path.join(output, `.model.${deadPid()}-0a1b2c3d.partial.old`);
  fs.mkdirSync(swappedOut, { recursive: true });
  fs.writeFileSync(path.join(swappedOut, 'manifest.json'), 'previous');

  const lock = acquireOutputLock(output, 'gfr train');

  expect(lock.recovered).toEqual([path.join(output, 'model')]);
  expect(fs.readFileSync(path.join(output, 'model', 'manifest.json'), 'utf8')).toBe('previous');
  lock.release();
});

test('withOutputLock releases the lock when the work fails', async () => {
  const output = path.join(scratch(), 'run');

  await expect(
    withOutputLock(output, 'gfr train', async () => {
      expect(fs.existsSync(outputLockFile(output))).toBe(true);
      throw new Error('training failed');
    }),
  ).rejects.toThrow('training failed');

  expect(fs.existsSync(outputLockFile(output))).toBe(false);
});

test.each(['SIGINT', 'SIGTERM'] as const)(
  'a holder stopped by %s removes its lock and still ends by the signal',
  async (signal) => {
    const output = path.join(scratch(), 'out');
    const compiled = path.join(__dirname, '..', '..', 'dist', 'io', 'output-lock.js');
    const holder = spawn(
      process.execPath,
      [
        '-e',
        `require(${JSON.stringify(compiled)}).acquireOutputLock(${JSON.stringify(output)}, 'test');` +
          "process.stdout.write('locked\\n'); setTimeout(() => {}, 60000);",
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise<void>((resolve) => holder.stdout!.once('data', () => resolve()));
    expect(fs.existsSync(outputLockFile(output))).toBe(true);

    holder.kill(signal);
    const ended = await new Promise<NodeJS.Signals | null>((resolve) =>
      holder.once('exit', (_code, endedBy) => resolve(endedBy)),
    );

    expect(ended).toBe(signal);
    expect(fs.existsSync(outputLockFile(output))).toBe(false);
  },
);
