/**
 * Soak test of the local endpoint: a real server process (the built container entry, `serve`,
 * bound to 127.0.0.1) with a model trained on a quick simulated run, driven at the serving
 * target rate and at twice it, each for a bounded time. Requests are evenly paced in an open
 * loop (the approach of bench-serve.ts): each is timed from its scheduled start, so a server
 * that falls behind shows in the latency instead of slowing the generator down.
 *
 *   npm run bench:soak -- [--duration 300] [--rate 200] [--candidates 500] [--workers N]
 *                         [--model DIR] [--json]
 *
 * Per rate it reports errors (transport errors, no answer within 10 s, non-200 answers; the
 * pass mark is 0), p50/p99/max latency, the machine's load average, and the resident memory of
 * the server (the primary and its workers, from /proc) after a warm-up and at the end; the end
 * must be within 10 % of the start. Linux only (it reads /proc).
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { parseArgs } from 'node:util';
import { prepareTrainingSets, simulator, trainRanker } from '@gfr/core';
import { syntheticInvocationRequest } from '@gfr/inference-image';

const { values: flags } = parseArgs({
  options: {
    model: { type: 'string' },
    candidates: { type: 'string', default: '500' },
    rate: { type: 'string', default: '200' },
    duration: { type: 'string', default: '300' },
    'warm-up': { type: 'string', default: '15' },
    workers: { type: 'string', default: String(os.availableParallelism()) },
    json: { type: 'boolean', default: false },
  },
});
const candidates = Number(flags.candidates);
const targetRate = Number(flags.rate);
const seconds = Number(flags.duration);
const warmUpSeconds = Number(flags['warm-up']);
const workers = Number(flags.workers);

/** A request not answered within this time (from its scheduled start) counts as an error. */
const requestDeadlineMs = 10_000;

/** Largest growth of resident memory from the start to the end of a rate's run. */
const memoryTolerance = 0.1;

/** The figures of one rate. */
interface SoakRun {
  target_rate: number;
  achieved_rate: number;
  duration_s: number;
  requests: number;
  errors: number;
  non_200: number;
  p50_ms: number;
  p99_ms: number;
  max_ms: number;
  rss_start_mib: number;
  rss_end_mib: number;
  rss_peak_mib: number;
  rss_change: number;
  /** The message of the first failed request, if any. */
  first_error: string | null;
  /** One-minute load average of the machine at the start and end: other work skews latency. */
  load_average: [number, number];
  passed: boolean;
}

async function main(): Promise<void> {
  for (const [name, value] of Object.entries({ candidates, targetRate, seconds, workers })) {
    if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be positive`);
  }
  const modelDir = flags.model ? path.resolve(flags.model) : await trainQuickArtifact();
  const body = JSON.stringify(syntheticInvocationRequest({ candidates, k: 20, seed: 11 }));
  const server = await startServer(modelDir);
  report(
    `server pid ${server.pid} (${workers} worker(s)) at ${server.address}; ${candidates} ` +
      `candidates, ${body.length} bytes per request; ${os.availableParallelism()} CPUs, ` +
      `load average ${os.loadavg().map((value) => value.toFixed(2))}`,
  );
  const runs: SoakRun[] = [];
  try {
    const url = new URL(`${server.address}/invocations`);
    for (const rate of [targetRate, 2 * targetRate]) {
      report(`warming up at ${rate} req/s for ${warmUpSeconds} s`);
      await pacedLoad(url, body, rate, warmUpSeconds, () => undefined);
      runs.push(await soak(url, body, rate, server.pid));
      const run = runs[runs.length - 1];
      report(
        `${rate} req/s for ${run.duration_s} s: ${run.requests} requests at ` +
          `${run.achieved_rate} req/s, ${run.errors} errors, ${run.non_200} non-200; ` +
          `p50 ${run.p50_ms} ms, p99 ${run.p99_ms} ms, max ${run.max_ms} ms; resident memory ` +
          `${run.rss_start_mib} → ${run.rss_end_mib} MiB (${percent(run.rss_change)}, peak ` +
          `${run.rss_peak_mib} MiB); load average ${run.load_average.join(' → ')}: ` +
          (run.passed ? 'passed' : 'FAILED') +
          (run.first_error ? ` (first error: ${run.first_error})` : ''),
      );
    }
  } finally {
    await server.stop();
  }

  report(`load average at the end ${os.loadavg().map((value) => value.toFixed(2))}`);
  if (flags.json) process.stdout.write(JSON.stringify({ candidates, workers, runs }, null, 2));
  if (runs.some((run) => !run.passed)) process.exitCode = 1;
}

/** One rate for `seconds`, with the server's memory sampled every 5 s. */
async function soak(url: URL, body: string, rate: number, pid: number): Promise<SoakRun> {
  const startLoad = os.loadavg()[0];
  const startRss = residentMemory(pid);
  let peakRss = startRss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, residentMemory(pid));
  }, 5000);
  let nextReport = 60;
  const result = await pacedLoad(url, body, rate, seconds, (elapsed) => {
    if (elapsed < nextReport) return;
    nextReport += 60;
    report(`  ${Math.round(elapsed)} s: resident memory ${mebibytes(residentMemory(pid))} MiB`);
  });
  clearInterval(sampler);
  const endRss = residentMemory(pid);
  peakRss = Math.max(peakRss, endRss);

  const change = (endRss - startRss) / startRss;
  return {
    target_rate: rate,
    ...result,
    rss_start_mib: mebibytes(startRss),
    rss_end_mib: mebibytes(endRss),
    rss_peak_mib: mebibytes(peakRss),
    rss_change: Math.round(change * 1000) / 1000,
    load_average: [round(startLoad), round(os.loadavg()[0])],
    passed: result.errors === 0 && result.non_200 === 0 && change <= memoryTolerance,
  };
}

/**
 * Sends one request every 1000/rate ms for `duration` seconds whatever the server does, each
 * on a free keep-alive socket, and times it from its scheduled start.
 */
async function pacedLoad(
  url: URL,
  body: string,
  rate: number,
  duration: number,
  onTick: (elapsedSeconds: number) => void,
) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 512 });
  const interval = 1000 / rate;
  const latencies: number[] = [];
  let errors = 0;
  let non200 = 0;
  let requests = 0;
  let firstError: string | null = null;
  const send = (scheduled: number) =>
    new Promise<void>((resolve) => {
      const request = http.request(
        {
          host: url.hostname,
          port: url.port,
          path: url.pathname,
          method: 'POST',
          agent,
          headers: { 'content-type': 'application/json', 'content-length': body.length },
        },
        (response) => {
          if (response.statusCode !== 200) non200 += 1;
          response.resume();
          response.on('end', () => {
            clearTimeout(deadline);
            latencies.push(performance.now() - scheduled);
            resolve();
          });
        },
      );
      // The deadline counts from the scheduled start, waiting for a socket included, as an
      // app service's timeout would; a backlog therefore ends in errors, not in an endless drain.
      const deadline = setTimeout(
        () => request.destroy(new Error(`no answer within ${requestDeadlineMs} ms`)),
        requestDeadlineMs,
      );
      request.on('error', (error) => {
        clearTimeout(deadline);
        firstError ??= error.message;
        errors += 1;
        resolve();
      });
      request.end(body);
    });

  const started = performance.now();
  const inFlight = new Set<Promise<void>>();
  for (let index = 0; ; index += 1) {
    const scheduled = started + index * interval;
    if (scheduled - started >= duration * 1000) break;
    const wait = scheduled - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    onTick((performance.now() - started) / 1000);
    // Only unfinished requests are held, so a long run keeps no per-request promise.
    const sent = send(scheduled);
    inFlight.add(sent);
    void sent.then(() => inFlight.delete(sent));
    requests += 1;
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
    achieved_rate: round(requests / elapsed),
    duration_s: round(elapsed),
    requests,
    errors,
    non_200: non200,
    p50_ms: quantile(0.5),
    p99_ms: quantile(0.99),
    max_ms: latencies.length ? round(latencies[latencies.length - 1]) : NaN,
    first_error: firstError,
  };
}

/** Resident memory in bytes of `pid` and its child processes (the cluster's workers). */
function residentMemory(pid: number): number {
  const read = (id: number): number => {
    let total = 0;
    try {
      const status = fs.readFileSync(`/proc/${id}/status`, 'utf8');
      total += Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? 0) * 1024;
      const children = fs.readFileSync(`/proc/${id}/task/${id}/children`, 'utf8').trim();
      for (const child of children ? children.split(/\s+/) : []) total += read(Number(child));
    } catch {
      // The process ended between the listing and the read: it holds no memory any more.
    }
    return total;
  };
  return read(pid);
}

/** Trains a small artifact on a quick simulated marketplace (about 10 s). */
async function trainQuickArtifact(): Promise<string> {
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gfr-bench-soak-'));
  const tables = path.join(outDir, 'tables');
  report(`training an artifact in ${outDir} on a simulated marketplace`);
  await simulator.simulateMarketplace({ users: 500, items: 500, days: 7, seed: 3 }, tables);
  const trained = await trainRanker(await prepareTrainingSets(tables), outDir, {
    parameters: { rounds: 100 },
  });
  return trained.artifact.directory;
}

/** Starts the built container entry on a free loopback port and waits for the model. */
async function startServer(
  modelDir: string,
): Promise<{ address: string; pid: number; stop(): Promise<void> }> {
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
      // The server logs every request (as it does in production); only its events matter here.
      if (ready && listening) return;
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
    pid: child.pid!,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

function mebibytes(bytes: number): number {
  return Math.round((bytes / 1024 / 1024) * 10) / 10;
}

function percent(change: number): string {
  return `${change >= 0 ? '+' : ''}${(change * 100).toFixed(1)} %`;
}

function report(line: string): void {
  process.stderr.write(line + '\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`bench-soak failed: ${String(error)}\n`);
  process.exitCode = 1;
});
