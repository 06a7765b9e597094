import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  Ranker,
  acquireOutputLock,
  featureNames,
  loadArtifact,
  outputLockFile,
  prepareTrainingSets,
  simulator,
  writeTrainingSets,
} from '@gfr/core';

import { cliPath, describeCli } from './support/cli';

/**
 * A `gfr train` killed with SIGKILL at random points of its run (the built CLI, in a child
 * process, on a small simulated marketplace) never costs the previous artifact: `model/` and
 * `model.tar.gz` stay loadable and score a row, every file that looks finished is finished, and
 * half-written outputs are hidden `.partial` names. The next run is not blocked by the dead
 * run's lock and cleans up after it.
 */

/** Kills; at least 20 (the acceptance bar). */
const kills = 20;

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'gfr-crash-'));
const featuresDir = path.join(root, 'features');
const runDir = path.join(root, 'run');
const finishedEntries = ['model', 'model.tar.gz', 'report.html', 'report.json'];

const trainArgs = [cliPath, '--quiet', 'train', '--features', featuresDir, '--out', runDir];
const trainArgsWithRounds = [...trainArgs, '--rounds', '20'];

afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

/** Runs `gfr train` to the end; resolves to its wall time in milliseconds. */
function trainToCompletion(): number {
  const started = Date.now();
  const result = spawnSync(process.execPath, trainArgsWithRounds, { encoding: 'utf8' });
  expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
  return Date.now() - started;
}

/**
 * Starts `gfr train` and kills it with SIGKILL after `delayMs`; resolves once it is gone, with
 * how it ended and after how long.
 */
function trainAndKill(
  delayMs: number,
): Promise<{ ended: NodeJS.Signals | number | null; elapsedMs: number }> {
  const started = Date.now();
  const child = spawn(process.execPath, trainArgsWithRounds, { stdio: 'ignore' });
  const timer = setTimeout(() => child.kill('SIGKILL'), delayMs);
  return new Promise((resolve) =>
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ ended: signal ?? code, elapsedMs: Date.now() - started });
    }),
  );
}

/** Loads an artifact and scores one all-missing row, as a server would at warm-up. */
async function loadAndScore(location: string): Promise<string> {
  const ranker = new Ranker(await loadArtifact(location));
  const score = ranker.scoreRow(new Array<number>(featureNames.length).fill(NaN));
  expect(score.pCtr).toBeGreaterThan(0);
  expect(score.pCtr).toBeLessThan(1);
  return ranker.modelVersion;
}

describeCli('gfr train killed with SIGKILL at random points', () => {
  let runMs = 0;
  const versions = new Set<string>();

  beforeAll(async () => {
    const tables = path.join(root, 'tables');
    await simulator.simulateMarketplace({ users: 100, items: 100, days: 5, seed: 5 }, tables);
    await writeTrainingSets(featuresDir, await prepareTrainingSets(tables));
    runMs = trainToCompletion();
    versions.add(await loadAndScore(path.join(runDir, 'model')));
  }, 120_000);

  test(`${kills} kills: the previous artifact stays intact and loadable each time`, async () => {
    const outcomes: { delayMs: number; ended: unknown; model: string; newVersion: boolean }[] = [];

    // Runs that finish before their kill time still count as checks, but not as kills.
    for (let kill = 0; outcomes.filter((o) => o.ended === 'SIGKILL').length < kills; kill += 1) {
      expect(kill).toBeLessThan(3 * kills);
      // Half uniformly over the run, half in its last third, where the files are written.
      const share = kill % 2 === 0 ? Math.random() : 2 / 3 + Math.random() / 3;
      const delayMs = Math.round(share * runMs);
      const { ended, elapsedMs } = await trainAndKill(delayMs);
      // A run that beat its kill shows the run is shorter now (the machine is less busy).
      if (ended !== 'SIGKILL') runMs = Math.min(runMs, elapsedMs);
      const context = `kill ${kill + 1} after ${delayMs} ms of a ${runMs} ms run`;

      // Whatever is visible under its final name is complete.
      const visible = fs.readdirSync(runDir).filter((entry) => !entry.startsWith('.'));
      expect({ context, unexpected: visible.filter((e) => !finishedEntries.includes(e)) }).toEqual({
        context,
        unexpected: [],
      });
      expect({ context, visible }).toEqual({
        context,
        visible: expect.arrayContaining(['model.tar.gz', 'report.json']),
      });
      for (const hidden of fs.readdirSync(runDir).filter((entry) => entry.startsWith('.'))) {
        expect({ context, hidden }).toEqual({
          context,
          hidden: expect.stringMatching(/\.\d+-[0-9a-f]+\.partial(\.old)?$/),
        });
      }
      const tarballVersion = await loadAndScore(path.join(runDir, 'model.tar.gz'));
      const report = JSON.parse(fs.readFileSync(path.join(runDir, 'report.json'), 'utf8'));
      // The page is written after report.json, so a kill may leave the previous run's page.
      if (visible.includes('report.html')) {
        const page = fs.readFileSync(path.join(runDir, 'report.html'), 'utf8');
        expect({ context, pageEnd: page.trimEnd().slice(-7) }).toEqual({
          context,
          pageEnd: '</html>',
        });
      }

      // A kill between the two renames of the folder swap leaves it aside; taking the lock (as
      // the next gfr run does first) puts it back.
      let model = 'intact';
      if (!fs.existsSync(path.join(runDir, 'model'))) {
        const lock = acquireOutputLock(runDir, 'crash-safety test');
        lock.release();
        expect({ context, restored: lock.recovered }).toEqual({
          context,
          restored: expect.arrayContaining([path.join(runDir, 'model')]),
        });
        model = 'restored';
      }
      const modelVersion = await loadAndScore(path.join(runDir, 'model'));

      // Each file is one whole artifact: a version seen before or the killed run's new one.
      const newVersion = !versions.has(modelVersion);
      versions.add(modelVersion);
      for (const version of [tarballVersion, report.model_version]) {
        expect({ context, known: versions.has(version) || version === modelVersion }).toEqual({
          context,
          known: true,
        });
      }
      outcomes.push({ delayMs, ended, model, newVersion });
    }

    const count = (test: (outcome: (typeof outcomes)[number]) => boolean) =>
      outcomes.filter(test).length;
    process.stderr.write(
      `crash safety: ${outcomes.length} runs, kill times within a ${runMs} ms run; killed ` +
        `${count((o) => o.ended === 'SIGKILL')}, finished before the kill ` +
        `${count((o) => o.ended !== 'SIGKILL')}; a new artifact in place ` +
        `${count((o) => o.newVersion)}, previous folder restored ${count((o) => o.model === 'restored')}\n`,
    );

    // The next run is not blocked by a dead run's lock and leaves no temporary file behind.
    trainToCompletion();
    expect(fs.readdirSync(runDir).sort()).toEqual(finishedEntries);
    expect(fs.existsSync(outputLockFile(runDir))).toBe(false);
    await loadAndScore(path.join(runDir, 'model'));
  }, 600_000);

  test('a second gfr train on the same output is refused with the first one’s pid', async () => {
    // The default rounds: a run long enough for the second to start while it holds the lock.
    const first = spawn(process.execPath, trainArgs, { stdio: 'ignore' });
    const firstEnded = new Promise<number | null>((resolve) => first.on('exit', resolve));
    const lockFile = outputLockFile(runDir);
    while (!fs.existsSync(lockFile)) await new Promise((resolve) => setTimeout(resolve, 20));

    const second = spawnSync(process.execPath, trainArgsWithRounds, { encoding: 'utf8' });

    expect(second.status).toBe(1);
    expect(second.stderr).toContain(
      `gfr: ${runDir} is in use by another gfr run: \`gfr train\` (pid ${first.pid}, since `,
    );
    expect(second.stderr).toContain(`delete ${lockFile} and run again`);
    expect(await firstEnded).toBe(0);
    expect(fs.readdirSync(runDir).sort()).toEqual(finishedEntries);
  }, 120_000);
});
