import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import {
  OutputNotReplaceableError,
  produceAtomically,
  restoreInterruptedReplacements,
  temporarySibling,
  writeFileAtomic,
} from './atomic';

function scratch(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'gfr-atomic-'));
}

test('a failed production leaves the previous output and no temporary file', async () => {
  const dir = scratch();
  const target = path.join(dir, 'report.json');
  fs.writeFileSync(target, 'old');

  await expect(
    produceAtomically(target, async (temporary) => {
      fs.writeFileSync(temporary, 'half');
      throw new Error('disk full');
    }),
  ).rejects.toThrow('disk full');

  expect(fs.readFileSync(target, 'utf8')).toBe('old');
  expect(fs.readdirSync(dir)).toEqual(['report.json']);
});

test('temporary outputs of dead writers are removed, a live writer’s are kept', async () => {
  const dir = scratch();
  const target = path.join(dir, 'model.tar.gz');
  const dead = path.join(dir, '.model.tar.gz.999999999-0a1b2c3d.partial');
  const live = temporarySibling(target);
  fs.writeFileSync(dead, 'abandoned');
  fs.writeFileSync(live, 'in progress');

  await produceAtomically(target, async (temporary) => fs.writeFileSync(temporary, 'new'));

  expect(fs.readFileSync(target, 'utf8')).toBe('new');
  expect(fs.existsSync(dead)).toBe(false);
  expect(fs.existsSync(live)).toBe(true);
});

test('a folder holding foreign files is refused before any work, one of known files replaced', async () => {
  const dir = scratch();
  const target = path.join(dir, 'tables');
  fs.mkdirSync(target);
  fs.writeFileSync(path.join(target, 'events.parquet'), 'old');
  let produced = 0;
  const produce = async (temporary: string) => {
    produced++;
    fs.mkdirSync(temporary);
    fs.writeFileSync(path.join(temporary, 'events.parquet'), 'new');
  };

  await produceAtomically(target, produce, { replaceableEntries: ['events.parquet'] });
  expect(fs.readFileSync(path.join(target, 'events.parquet'), 'utf8')).toBe('new');

  fs.writeFileSync(path.join(target, 'notes.md'), 'mine');
  await expect(
    produceAtomically(target, produce, { replaceableEntries: ['events.parquet'] }),
  ).rejects.toBeInstanceOf(OutputNotReplaceableError);
  expect(produced).toBe(1);
  expect(fs.readdirSync(target).sort()).toEqual(['events.parquet', 'notes.md']);
});

test('a previous folder swapped out by a writer killed between its renames is put back', async () => {
  const dir = scratch();
  const target = path.join(dir, 'model');
  const swappedOut = path.join(dir, '.model.999999999-0a1b2c3d.partial.old');
  fs.mkdirSync(swappedOut);
  fs.writeFileSync(path.join(swappedOut, 'manifest.json'), 'previous');

  expect(restoreInterruptedReplacements(dir)).toEqual([target]);

  expect(fs.readFileSync(path.join(target, 'manifest.json'), 'utf8')).toBe('previous');
  expect(fs.readdirSync(dir)).toEqual(['model']);
});

test('the next write of a folder restores the previous one first, then replaces it whole', async () => {
  const dir = scratch();
  const target = path.join(dir, 'model');
  const swappedOut = path.join(dir, '.model.999999999-0a1b2c3d.partial.old');
  fs.mkdirSync(swappedOut);
  fs.writeFileSync(path.join(swappedOut, 'manifest.json'), 'previous');
  let seenBeforeReplacing = '';

  await produceAtomically(
    target,
    async (temporary) => {
      seenBeforeReplacing = fs.readFileSync(path.join(target, 'manifest.json'), 'utf8');
      fs.mkdirSync(temporary);
      fs.writeFileSync(path.join(temporary, 'manifest.json'), 'new');
    },
    { replaceableEntries: ['manifest.json'] },
  );

  expect(seenBeforeReplacing).toBe('previous');
  expect(fs.readFileSync(path.join(target, 'manifest.json'), 'utf8')).toBe('new');
  expect(fs.readdirSync(dir)).toEqual(['model']);
});

test('a swapped-out folder is not restored over a finished replacement', () => {
  const dir = scratch();
  fs.mkdirSync(path.join(dir, 'model'));
  fs.writeFileSync(path.join(dir, 'model', 'manifest.json'), 'new');
  fs.mkdirSync(path.join(dir, '.model.999999999-0a1b2c3d.partial.old'));

  expect(restoreInterruptedReplacements(dir)).toEqual([]);
  expect(fs.readFileSync(path.join(dir, 'model', 'manifest.json'), 'utf8')).toBe('new');
});

test('writeFileAtomic replaces a file whole and leaves no temporary file', () => {
  const dir = scratch();
  const target = path.join(dir, 'nested', 'report.json');

  writeFileAtomic(target, 'first');
  writeFileAtomic(target, new TextEncoder().encode('second'));

  expect(fs.readFileSync(target, 'utf8')).toBe('second');
  expect(fs.readdirSync(path.dirname(target))).toEqual(['report.json']);
});
