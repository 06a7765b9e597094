/**
 * Load test of the inference server: requests of 500 candidates at 200 requests/s and at the
 * highest rate the server sustains, plus the in-process cost of each request stage. The rate
 * is run twice: evenly paced by this script (the figure the p99 target is checked on), and by
 * autocannon, whose rate limit sends each second's quota back to back on every connection.
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
import * as http from 'node:http';
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
    const url = `${server.address}/invocations`;
    const load = (title: string, options: Record<string, unknown>) =>
      autocannon({
        url,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        connections,
        title,
        ...options,
      });
    await load('warm-up', { duration: 3 });
    const paced = await pacedLoad(url, body, rate, Number(flags.duration));
    const fixed = await load('fixed', {
      overallRate: rate,
      duration: Number(flags.duration),
      // autocannon's correction assumes a 1 ms interval at any rate below 1,000/s and fills
      // the histogram with made-up samples; the paced run above is the corrected measure.
      ignoreCoordinatedOmission: true,
    });
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
      paced_rate: paced,
      autocannon_fixed_rate: summarize(fixed, rate),
      autocannon_max_rate: summarize(maximum, null),
    };
    for (const [name, run] of [
      [`paced ${rate} req/s (evenly spaced, open loop)`, summary.paced_rate],
      [
        `autocannon ${rate} req/s (each second's quota sent at once)`,
        summary.autocannon_fixed_rate,
      ],
      [`autocannon max rate (${connections} connections)`, summary.autocannon_max_rate],
    ] as const) {
      report(
        `${name}: p50 ${run.p50_ms} ms, p90 ${run.p90_ms} ms, p99 ${run.p99_ms} ms, ` +
          `max ${run.max_ms} ms, ${run.requests_per_second} req/s over ${run.duration_s} s, ` +
          `${run.errors} errors, ${run.non_2xx} non-2xx`,
      );
    }
    const met = paced.p99_ms < 10 && paced.errors === 0 && paced.non_2xx === 0;
    report(
      `target p99 < 10 ms at ${rate} req/s with ${candidates} candidates (paced run): ` +
        (met ? 'met' : 'NOT met'),
    );
    if (flags.json) process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
  } finally {
    await server.stop();
  }
}

/**
 * Sends one request every 1000/rate ms whatever the server does (an open loop, like independent
 * app services), each on a free keep-alive socket, and times it from its scheduled start, so a
 * generator that fell behind counts against the latency rather than hiding it.
 */
async function pacedLoad(url: string, body: string, rate: number, seconds: number) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const target = new URL(url);
  const interval = 1000 / rate;
  const latencies: number[] = [];
  let errors = 0;
  let non2xx = 0;
  const send = (scheduled: number) =>
    new Promise<void>((resolve) => {
      const request = http.request(
        {
          host: target.hostname,
          port: target.port,
          path: target.pathname,
          method: 'POST',
          agent,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
          },
        },
        (response) => {
          if (response.statusCode !== 200) non2xx += 1;
          response.resume();
          response.on('end', () => {
            latencies.push(performance.now() - scheduled);
            resolve();
          });
        },
      );
      request.on('error', () => {
        errors += 1;
        resolve();
      });
      request.end(body);
    });

  const started = performance.now();
  const inFlight: Promise<void>[] = [];
  for (let index = 0; ; index += 1) {
    const scheduled = started + index * interval;
    if (scheduled - started >= seconds * 1000) break;
    const wait = scheduled - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    inFlight.push(send(scheduled));
  }
  await Promise.all(inFlight);
  const elapsed = (performance.now() - started) / 1000;
  agent.destroy();

  latencies.sort((a, b) => a - b);
  const quantile = (q: number) =>
    latencies.length
      ? round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))])
      : NaN;
  return {
    target_rate: rate,
    p50_ms: quantile(0.5),
    p90_ms: quantile(0.9),
    p99_ms: quantile(0.99),
    max_ms: latencies.length ? round(latencies[latencies.length - 1]) : NaN,
    requests_per_second: round(inFlight.length / elapsed),
    requests: inFlight.length,
    duration_s: round(elapsed),
    errors,
    timeouts: 0,
    non_2xx: non2xx,
  };
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
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
  // Never leave a server behind if this script fails.
  process.once('exit', () => child.kill('SIGTERM'));
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
