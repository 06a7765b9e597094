/**
 * Load test of the inference server: requests of 500 candidates at a fixed 200 requests/s and
 * at the highest rate the server sustains, plus the in-process cost of each request stage.
 *
 *   npm run build && npx tsc scripts/bench-serve.ts --outDir scripts/dist --module node16 \
 *     --target es2022 --types node --skipLibCheck --strict && node scripts/dist/bench-serve.js
 *
 * Options: --model DIR (an artifact; default: train one on a simulated marketplace),
 * --candidates N (500), --rate N (200), --duration S (20), --max-duration S (10),
 * --connections N (16), --workers N (server processes; default one per CPU), --json. The server
 * runs in its own processes, the built container entry (`serve`), bound to 127.0.0.1 only;
 * autocannon runs here.
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { parseArgs } from 'node:util';
import {
  Ranker,
  loadArtifact,
  parseInvocationRequest,
  prepareTrainingSets,
  rankRequest,
  simulator,
  trainRanker,
} from '@gfr/core';
import { syntheticInvocationRequest } from '@gfr/inference-image';

/** The part of autocannon's API this script uses (the package ships no types). */
interface AutocannonResult {
  latency: { p50: number; p90: number; p99: number; max: number; average: number };
  requests: { average: number; total: number };
  errors: number;
  timeouts: number;
  non2xx: number;
  duration: number;
}
type Autocannon = (options: Record<string, unknown>) => Promise<AutocannonResult>;
const autocannon = createRequire(__filename)('autocannon') as Autocannon;

const { values: flags } = parseArgs({
  options: {
    model: { type: 'string' },
    candidates: { type: 'string', default: '500' },
    rate: { type: 'string', default: '200' },
    duration: { type: 'string', default: '20' },
    'max-duration': { type: 'string', default: '10' },
    connections: { type: 'string', default: '16' },
    workers: { type: 'string', default: String(os.availableParallelism()) },
    json: { type: 'boolean', default: false },
  },
});
const candidates = Number(flags.candidates);
const rate = Number(flags.rate);
const connections = Number(flags.connections);
const workers = Number(flags.workers);

async function main(): Promise<void> {
  const modelDir = flags.model ? path.resolve(flags.model) : await trainArtifact();
  const ranker = new Ranker(await loadArtifact(modelDir));
  const body = JSON.stringify(syntheticInvocationRequest({ candidates, k: 20, seed: 7 }));
  const inProcess = measureInProcess(ranker, body);
  report(`model ${ranker.modelVersion}: ${describeHeads(ranker)}; request ${body.length} bytes`);
  report(
    `${os.availableParallelism()} CPUs, load average ${os.loadavg().map((v) => v.toFixed(2))}`,
  );
  report(
    `in-process per request: parse ${inProcess.parseMs.toFixed(3)} ms, validate ` +
      `${inProcess.validateMs.toFixed(3)} ms, rank ${inProcess.rankMs.toFixed(3)} ms ` +
      `(${Math.round(inProcess.rowsPerSecond).toLocaleString('en')} candidate rows/s)`,
  );

  const server = await startServer(modelDir);
  try {
    const load = (title: string, options: Record<string, unknown>) =>
      autocannon({
        url: `${server.address}/invocations`,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        connections,
        title,
        ...options,
      });
    await load('warm-up', { duration: 3 });
    const fixed = await load('fixed', { overallRate: rate, duration: Number(flags.duration) });
    const maximum = await load('max', { duration: Number(flags['max-duration']) });

    const summary = {
      model_version: ranker.modelVersion,
      heads: describeHeads(ranker),
      candidates,
      request_bytes: body.length,
      cpus: os.availableParallelism(),
      server_workers: workers,
      load_average: os.loadavg().map((value) => Math.round(value * 100) / 100),
      in_process: inProcess,
      fixed_rate: summarize(fixed, rate),
      max_rate: summarize(maximum, null),
    };
    for (const [name, run] of [
      [`fixed ${rate} req/s`, summary.fixed_rate],
      ['max rate', summary.max_rate],
    ] as const) {
      report(
        `${name}: p50 ${run.p50_ms} ms, p90 ${run.p90_ms} ms, p99 ${run.p99_ms} ms, ` +
          `max ${run.max_ms} ms, ${run.requests_per_second} req/s over ${run.duration_s} s, ` +
          `${run.errors} errors, ${run.non_2xx} non-2xx`,
      );
    }
    const met = summary.fixed_rate.p99_ms < 10 && summary.fixed_rate.errors === 0;
    report(
      `target p99 < 10 ms at ${rate} req/s with ${candidates} candidates: ${met ? 'met' : 'NOT met'}`,
    );
    if (flags.json) process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
  } finally {
    await server.stop();
  }
}

/** Per-request cost of each stage in this process, over 200 requests after 50 of warm-up. */
function measureInProcess(ranker: Ranker, body: string) {
  const totals = { parse: 0, validate: 0, rank: 0 };
  const timed = 200;
  for (let index = 0; index < timed + 50; index += 1) {
    const start = performance.now();
    const json = JSON.parse(body);
    const parsed = performance.now();
    const request = parseInvocationRequest(json);
    const validated = performance.now();
    rankRequest(ranker, request, 1_780_000_000);
    const ranked = performance.now();
    if (index < 50) continue;
    totals.parse += parsed - start;
    totals.validate += validated - parsed;
    totals.rank += ranked - validated;
  }
  return {
    parseMs: totals.parse / timed,
    validateMs: totals.validate / timed,
    rankMs: totals.rank / timed,
    rowsPerSecond: (candidates * timed) / (totals.rank / 1000),
  };
}

function summarize(result: AutocannonResult, targetRate: number | null) {
  return {
    target_rate: targetRate,
    p50_ms: result.latency.p50,
    p90_ms: result.latency.p90,
    p99_ms: result.latency.p99,
    max_ms: result.latency.max,
    requests_per_second: Math.round((result.requests.total / result.duration) * 10) / 10,
    requests: result.requests.total,
    duration_s: result.duration,
    errors: result.errors,
    timeouts: result.timeouts,
    non_2xx: result.non2xx,
  };
}

function describeHeads(ranker: Ranker): string {
  const { ctr, cvr } = ranker.artifact.manifest.heads;
  return `ctr ${ctr.trees} trees` + (cvr ? `, cvr ${cvr.trees} trees` : ', no cvr head');
}

/** Trains an artifact with the default parameters on a simulated marketplace. */
async function trainArtifact(): Promise<string> {
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gfr-bench-serve-'));
  const tables = path.join(outDir, 'tables');
  report(`training an artifact in ${outDir} (default parameters; about a minute)`);
  await simulator.simulateMarketplace({ users: 1000, items: 1000, days: 10, seed: 3 }, tables);
  const trained = await trainRanker(await prepareTrainingSets(tables), outDir);
  return trained.artifact.directory;
}

/** Starts the built container entry on a free loopback port and waits for the model. */
async function startServer(modelDir: string): Promise<{ address: string; stop(): Promise<void> }> {
  const entry = require.resolve('@gfr/inference-image/dist/entry.js');
  const child: ChildProcess = spawn(
    process.execPath,
    [entry, 'serve', '--host', '127.0.0.1', '--port', '0', '--workers', String(workers)].concat([
      '--model-dir',
      modelDir,
    ]),
    { stdio: ['ignore', 'inherit', 'pipe'] },
  );
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const address = await new Promise<string>((resolve, reject) => {
    let listening = '';
    let ready = false;
    readline.createInterface({ input: child.stderr! }).on('line', (line) => {
      let record: { message?: string; address?: string };
      try {
        record = JSON.parse(line);
      } catch {
        return;
      }
      // The two lines come in either order: the model loads while the socket opens.
      if (record.message === 'listening') listening = record.address!;
      if (record.message === (workers > 1 ? 'all workers ready' : 'model ready')) ready = true;
      if (listening && ready) resolve(listening);
      if (record.message === 'model failed to load') reject(new Error(line));
    });
    void exited.then((code) => reject(new Error(`server exited with ${code} before ready`)));
  });
  return {
    address,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

function report(line: string): void {
  process.stderr.write(line + '\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`bench-serve failed: ${String(error)}\n`);
  process.exitCode = 1;
});
