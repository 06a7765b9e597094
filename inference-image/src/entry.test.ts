import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { silentLogger } from '@gfr/core';

import { send } from '../test-support/http';
import { simulateTables } from '../test-support/small-artifact';
import { readCaptureRecords } from './capture';
import { main } from './entry';
import { sageMakerLayout } from './sagemaker-layout';
import { syntheticInvocationRequest } from './synthetic-request';
import { trainingMetricDefinitions } from './training-job';

/** A fresh /opt/ml stand-in holding the simulated tables in its `train` channel. */
function optMlWithTables(tables: string): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'gfr-opt-ml-'));
  fs.cpSync(tables, sageMakerLayout(root).channel('train'), { recursive: true });
  return root;
}

function writeHyperparameters(root: string, hyperparameters: Record<string, string>): void {
  const file = sageMakerLayout(root).hyperparameters;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(hyperparameters));
}

const never = new AbortController().signal;
const tables = fs.mkdtempSync(path.join(os.tmpdir(), 'gfr-entry-tables-'));
const trainedRoot = { path: '' };
const metrics: string[] = [];
let trainExit: number;

beforeAll(async () => {
  await simulateTables(tables);
  trainedRoot.path = optMlWithTables(tables);
  writeHyperparameters(trainedRoot.path, {
    rounds: '"15"',
    max_depth: '4',
    eta: '0.2',
    sagemaker_region: '"eu-west-1"',
  });
  trainExit = await main(['train'], {
    env: { GFR_OPT_ML: trainedRoot.path },
    logger: silentLogger,
    stop: never,
    metricsOutput: { write: (text: string) => metrics.push(text) },
  });
}, 120_000);

describe('entry train', () => {
  test('writes the artifact files straight into model/ and the report into output/data/', () => {
    const layout = sageMakerLayout(trainedRoot.path);
    expect(trainExit).toBe(0);
    expect(fs.readdirSync(layout.model).sort()).toEqual([
      'calibration.json',
      'ctr-model.json',
      'cvr-model.json',
      'feature-distributions.json',
      'manifest.json',
    ]);
    const manifest = JSON.parse(fs.readFileSync(path.join(layout.model, 'manifest.json'), 'utf8'));
    expect(manifest.parameters.gbdt).toMatchObject({ rounds: 15, maxDepth: 4, learningRate: 0.2 });
    const report = JSON.parse(fs.readFileSync(path.join(layout.outputData, 'report.json'), 'utf8'));
    expect(report.model_version).toBe(manifest.model_version);
    expect(fs.existsSync(layout.failure)).toBe(false);
  });

  test('prints metric lines that the MetricDefinitions regexes read back exactly', () => {
    const text = metrics.join('');
    const report = JSON.parse(
      fs.readFileSync(
        path.join(sageMakerLayout(trainedRoot.path).outputData, 'report.json'),
        'utf8',
      ),
    );
    const read = (name: string) => {
      const definition = trainingMetricDefinitions.find((metric) => metric.Name === name)!;
      const matches = [...text.matchAll(new RegExp(definition.Regex, 'gm'))];
      expect(matches).toHaveLength(1);
      return Number(matches[0][1]);
    };
    expect(text).toMatch(/^validation-auc=0\.\d{6};$/m);
    expect(read('validation-auc')).toBeCloseTo(report.models.ctr.validation.auc, 6);
    expect(read('cvr-validation-auc')).toBeCloseTo(report.models.cvr.validation.auc, 6);
    expect(read('test-logloss')).toBeCloseTo(report.models.ctr.test.logloss, 6);
  });

  test('a missing train channel fails with the reason in output/failure', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'gfr-opt-ml-'));
    const code = await main(['train'], {
      env: { GFR_OPT_ML: root },
      logger: silentLogger,
      stop: never,
    });
    const reason = fs.readFileSync(sageMakerLayout(root).failure, 'utf8');
    expect(code).toBe(1);
    expect(reason).toMatch(/^the train channel .*input\/data\/train does not exist/);
    expect(fs.existsSync(sageMakerLayout(root).model)).toBe(false);
  });

  test('a channel without canonical tables names the missing files and what it holds', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'gfr-opt-ml-'));
    const channel = sageMakerLayout(root).channel('train');
    fs.mkdirSync(channel, { recursive: true });
    fs.writeFileSync(path.join(channel, 'events.csv'), 'ts,user_id\n');
    const code = await main(['train'], {
      env: { GFR_OPT_ML: root },
      logger: silentLogger,
      stop: never,
    });
    expect(code).toBe(1);
    expect(fs.readFileSync(sageMakerLayout(root).failure, 'utf8')).toMatch(
      /lacks events\.parquet, items\.parquet, users\.parquet \(it holds: events\.csv\)/,
    );
  });

  test('an out-of-range hyperparameter fails under the name the job gave it', async () => {
    const root = optMlWithTables(tables);
    writeHyperparameters(root, { max_depth: '40', rounds: '2' });
    const code = await main(['train'], {
      env: { GFR_OPT_ML: root },
      logger: silentLogger,
      stop: never,
    });
    expect(code).toBe(1);
    expect(fs.readFileSync(sageMakerLayout(root).failure, 'utf8')).toMatch(
      /^hyperparameter max_depth: GBDT parameter maxDepth: must be an integer in \[1, 16\], got 40/,
    );
  });

  test('the failure reason is cut at 1,024 characters', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'gfr-opt-ml-'));
    writeHyperparameters(root, { ['x'.repeat(2000)]: '1' });
    expect(
      await main(['train'], { env: { GFR_OPT_ML: root }, logger: silentLogger, stop: never }),
    ).toBe(1);
    const reason = fs.readFileSync(sageMakerLayout(root).failure, 'utf8');
    expect(reason).toHaveLength(1024);
    expect(reason).toMatch(/^unknown hyperparameter "xxx/);
  });
});

describe('entry serve', () => {
  test('serves the model in <root>/model until stopped, then exits 0', async () => {
    const stop = new AbortController();
    let address = '';
    const running = main(['serve', '--host', '127.0.0.1', '--port', '0', '--workers', '1'], {
      env: { GFR_OPT_ML: trainedRoot.path },
      logger: silentLogger,
      stop: stop.signal,
      onListening: (listening) => (address = listening),
    });
    await waitFor(async () => address !== '' && (await send(`${address}/ping`)).statusCode === 200);

    const reply = await send(`${address}/invocations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(syntheticInvocationRequest({ candidates: 20, k: 5 })),
    });
    stop.abort();

    expect(reply.statusCode).toBe(200);
    expect(reply.json().items).toHaveLength(5);
    expect(await running).toBe(0);
    await expect(send(`${address}/ping`)).rejects.toThrow();
  });

  test('a model folder without an artifact exits 1 instead of serving 503 for ever', async () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'gfr-empty-model-'));
    const code = await main(
      ['serve', '--host', '127.0.0.1', '--port', '0', '--workers', '1', '--model-dir', empty],
      { logger: silentLogger, stop: never },
    );
    expect(code).toBe(1);
  });

  test.each([
    [['serve'], { SAGEMAKER_BIND_TO_PORT: 'eighty' }],
    [['serve', '--port', '70000'], {}],
    [['serve', '--workers', '0'], {}],
    [['serve', '--capture-dir', '/tmp/x', '--capture-percent', '150'], {}],
    [['serve', '--model'], {}],
    [['predict'], {}],
    [[], {}],
  ])('bad usage %j exits 2', async (argv, env) => {
    const usage: string[] = [];
    const code = await main(argv, {
      env,
      logger: silentLogger,
      stop: never,
      usageOutput: { write: (text: string) => usage.push(text) },
    });
    expect(code).toBe(2);
    if (argv[0] !== 'serve')
      expect(usage.join('')).toMatch(/^(unknown command "predict"|no command)\nusage: /);
  });
});

/** The built entry: the SIGTERM tests run it as the container does, in its own process. */
const builtEntry = path.join(__dirname, '..', 'dist', 'entry.js');
const describeBuilt = fs.existsSync(builtEntry) ? describe : describe.skip;
if (!fs.existsSync(builtEntry)) {
  process.stderr.write(`skipping SIGTERM tests: ${builtEntry} is not built (npm run build)\n`);
}

describeBuilt('the built entry on SIGTERM', () => {
  test('serve finishes its requests, flushes capture and exits 0', async () => {
    const captureDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gfr-entry-capture-'));
    const child = startEntry(['serve', '--host', '127.0.0.1', '--port', '0', '--workers', '1'], {
      GFR_OPT_ML: trainedRoot.path,
      GFR_CAPTURE_DIR: captureDir,
      GFR_LOG_LEVEL: 'debug',
    });
    const listening = await child.waitForLog((record) => record.message === 'listening');
    const address = String(listening.address);
    await child.waitForLog((record) => record.message === 'model ready');

    const body = JSON.stringify(syntheticInvocationRequest({ candidates: 2000, k: 50 }));
    const inFlight = Promise.all(
      Array.from({ length: 4 }, () =>
        send(`${address}/invocations`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
        }),
      ),
    );
    // SIGTERM once the server has all four requests in hand.
    await child.waitForLog(
      (record) =>
        child.logs.filter((seen) => seen.message === 'request received').length === 4 &&
        record.message === 'request received',
    );
    child.process.kill('SIGTERM');

    const replies = await inFlight;
    expect(await child.exited).toBe(0);
    expect(replies.map((reply) => reply.statusCode)).toEqual([200, 200, 200, 200]);
    expect(child.logs.some((record) => record.message === 'server closed')).toBe(true);
    expect((await readCaptureRecords(captureDir)).records).toHaveLength(4);
  });

  test('serve with two workers shares one port and stops both', async () => {
    const child = startEntry(['serve', '--host', '127.0.0.1', '--port', '0', '--workers', '2'], {
      GFR_OPT_ML: trainedRoot.path,
    });
    const listening = await child.waitForLog((record) => record.message === 'listening');
    await child.waitForLog((record) => record.message === 'all workers ready');
    const address = String(listening.address);

    const replies = await Promise.all(
      Array.from({ length: 6 }, () =>
        send(`${address}/invocations`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(syntheticInvocationRequest({ candidates: 10 })),
        }),
      ),
    );
    child.process.kill('SIGTERM');

    expect(replies.map((reply) => reply.statusCode)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(await child.exited).toBe(0);
    const listeners = child.logs.filter((record) => record.message === 'listening');
    expect(new Set(listeners.map((record) => record.address))).toEqual(new Set([address]));
    expect(child.logs.filter((record) => record.message === 'server closed')).toHaveLength(2);
  });

  test('serve with workers exits 1 when the model cannot load', async () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'gfr-empty-model-'));
    const child = startEntry(
      ['serve', '--host', '127.0.0.1', '--port', '0', '--workers', '2', '--model-dir', empty],
      {},
    );
    expect(await child.exited).toBe(1);
    expect(
      child.logs.some((record) => /before its model was ready/.test(String(record.error))),
    ).toBe(true);
  });

  test('train stops at once, exits 0 and writes no model', async () => {
    const root = optMlWithTables(tables);
    writeHyperparameters(root, { rounds: '5000', early_stopping_rounds: '0' });
    const child = startEntry(['train'], { GFR_OPT_ML: root });
    await child.waitForLog((record) => record.message === 'training started');

    child.process.kill('SIGTERM');

    expect(await child.exited).toBe(0);
    expect(fs.existsSync(sageMakerLayout(root).model)).toBe(false);
    expect(fs.existsSync(sageMakerLayout(root).failure)).toBe(false);
  });
});

type LogRecord = Record<string, unknown>;

/** Runs the built entry with JSON logs on stderr, read as they come. */
function startEntry(args: string[], env: Record<string, string>) {
  const child: ChildProcess = spawn(process.execPath, [builtEntry, ...args], {
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const logs: LogRecord[] = [];
  const waiters: { match: (record: LogRecord) => boolean; resolve: (r: LogRecord) => void }[] = [];
  readline.createInterface({ input: child.stderr! }).on('line', (line) => {
    let record: LogRecord;
    try {
      record = JSON.parse(line);
    } catch {
      record = { message: line };
    }
    logs.push(record);
    for (const waiter of waiters.filter((w) => w.match(record))) waiter.resolve(record);
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    process: child,
    logs,
    exited,
    waitForLog: (match: (record: LogRecord) => boolean) =>
      new Promise<LogRecord>((resolve, reject) => {
        const seen = logs.find(match);
        if (seen) return resolve(seen);
        waiters.push({ match, resolve });
        exited.then((code) =>
          reject(new Error(`entry exited (${code}) first; logs:\n${JSON.stringify(logs)}`)),
        );
      }),
  };
}

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await condition()) return;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
