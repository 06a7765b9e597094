/**
 * gfr's GBDT against XGBoost, side by side in one run, on the same synthetic rows
 * (`syntheticBinarySet`: a step, an interaction, informative missingness, noise columns):
 *
 * - training: 1,000,000 rows × 50 features, 100 rounds, depth 6, 256 bins, learning rate 0.1,
 *   λ 1, min child weight 1, no subsampling, the label mean as base score, 2 threads (XGBoost
 *   `hist`, nthread 2): wall time, peak resident memory (each side in its own process, the rows
 *   loaded), and ROC-AUC on 200,000 test rows computed by the same code for both;
 * - scoring: a 300-tree depth-6 model trained by XGBoost, loaded by gfr (margins checked bit for
 *   bit against XGBoost's), scored on one thread in batches of 1, 500 and 10,000 rows: rows per
 *   second of gfr's CompiledEnsemble (probabilities) and XGBoost's `inplace_predict`.
 *
 *   npm run bench:model [-- --rows N --test-rows N --columns N --rounds N --repeats N --json]
 *
 * XGBoost runs through Debian's /usr/bin/python3 (python3-xgboost), with
 * scripts/bench-model-xgboost.py; `--python` names another interpreter.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';

import { rocAuc } from '../../metrics';
import { CompiledEnsemble } from '../compiled-ensemble';
import { syntheticBinarySet } from '../synthetic-data';
import { trainGbdt } from '../trainer';
import { readXGBoostModelFile } from '../xgboost-model-file';

const REPOSITORY = path.resolve(__dirname, '..', '..', '..', '..', '..');
const XGBOOST_SCRIPT = path.join(REPOSITORY, 'scripts', 'bench-model-xgboost.py');
const BATCH_SIZES = [1, 500, 10_000];
/** Rows per measurement, as in the Python side, so both walk the same rows. */
const ROWS_PER_MEASUREMENT: Record<number, number> = { 1: 2_000, 500: 20_000, 10_000: 50_000 };

interface Settings {
  rows: number;
  testRows: number;
  columns: number;
  rounds: number;
  depth: number;
  bins: number;
  threads: number;
  learningRate: number;
  scoringTrees: number;
  repeats: number;
}

interface TrainingFigures {
  wallMs: number;
  peakRssMb: number;
  testAuc: number;
  detail: Record<string, number>;
}

async function main(): Promise<void> {
  const { values: flags, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      rows: { type: 'string', default: '1000000' },
      'test-rows': { type: 'string', default: '200000' },
      columns: { type: 'string', default: '50' },
      rounds: { type: 'string', default: '100' },
      depth: { type: 'string', default: '6' },
      bins: { type: 'string', default: '256' },
      threads: { type: 'string', default: '2' },
      'scoring-trees': { type: 'string', default: '300' },
      repeats: { type: 'string', default: '5' },
      python: { type: 'string', default: '/usr/bin/python3' },
      'skip-training': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
  });
  const settings: Settings = {
    rows: positiveInteger(flags.rows, '--rows'),
    testRows: positiveInteger(flags['test-rows'], '--test-rows'),
    columns: positiveInteger(flags.columns, '--columns'),
    rounds: positiveInteger(flags.rounds, '--rounds'),
    depth: positiveInteger(flags.depth, '--depth'),
    bins: positiveInteger(flags.bins, '--bins'),
    threads: positiveInteger(flags.threads, '--threads'),
    learningRate: 0.1,
    scoringTrees: positiveInteger(flags['scoring-trees'], '--scoring-trees'),
    repeats: positiveInteger(flags.repeats, '--repeats'),
  };
  // The child process that trains gfr's model, so that its peak memory is its own.
  if (positionals[0] === 'train-child') return trainChild(positionals[1], settings);

  const log = flags.json ? () => undefined : (line: string) => console.error(line);
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'gfr-bench-model-'));
  try {
    log(`writing ${settings.rows} + ${settings.testRows} synthetic rows to ${directory}`);
    const baseScore = writeData(directory, settings);
    const python = (mode: string, extra: string[]) =>
      JSON.parse(
        execFileSync(flags.python, [XGBOOST_SCRIPT, mode, directory, ...extra], {
          encoding: 'utf8',
          maxBuffer: 1 << 24,
          stdio: ['ignore', 'pipe', 'inherit'],
        }),
      ) as Record<string, unknown>;
    const common = ['--depth', String(settings.depth), '--bins', String(settings.bins)];
    common.push('--eta', String(settings.learningRate), '--base-score', String(baseScore));

    let training: { gfr: TrainingFigures; xgboost: TrainingFigures } | null = null;
    if (!flags['skip-training']) {
      log('training gfr ...');
      const gfr = JSON.parse(
        execFileSync(
          process.execPath,
          [__filename, 'train-child', directory, ...childArgs(flags)],
          {
            encoding: 'utf8',
            stdio: ['ignore', 'pipe', 'inherit'],
          },
        ),
      ) as { wallMs: number; peakRssKb: number; timings: Record<string, number> };
      log('training XGBoost ...');
      const xgboost = python('train', [
        ...common,
        ...['--rounds', String(settings.rounds), '--threads', String(settings.threads)],
      ]) as { dmatrix_ms: number; train_ms: number; peak_rss_kb: number };
      const labels = readFloat32(directory, 'test.labels.f32');
      training = {
        gfr: {
          wallMs: gfr.wallMs,
          peakRssMb: gfr.peakRssKb / 1024,
          testAuc: rocAuc(labels, readFloat32(directory, 'test.gfr.f32')),
          detail: gfr.timings,
        },
        xgboost: {
          wallMs: xgboost.dmatrix_ms + xgboost.train_ms,
          peakRssMb: xgboost.peak_rss_kb / 1024,
          testAuc: rocAuc(labels, readFloat32(directory, 'test.xgboost.f32')),
          detail: { dmatrixMs: xgboost.dmatrix_ms, trainMs: xgboost.train_ms },
        },
      };
    }

    log(`scoring: XGBoost trains a ${settings.scoringTrees}-tree model, then both score ...`);
    const xgboostScoring = python('score', [
      ...common,
      ...['--trees', String(settings.scoringTrees), '--repeats', String(settings.repeats)],
    ]) as { xgboost_version: string; figures: { batch: number; rows_per_second: number[] }[] };
    const scoring = scoreWithGfr(directory, settings);

    const result = {
      settings,
      xgboostVersion: xgboostScoring.xgboost_version,
      environment: {
        node: process.version,
        cpus: os.cpus().length,
        cpu: os.cpus()[0]?.model ?? 'unknown',
        loadAverageAtEnd: os.loadavg().map((load) => Number(load.toFixed(2))),
      },
      training,
      scoring: {
        parityRows: scoring.parityRows,
        bitExactMargins: scoring.bitExact,
        figures: BATCH_SIZES.map((batch) => ({
          batch,
          gfr: summarize(scoring.rowsPerSecond.get(batch)!),
          xgboost: summarize(
            xgboostScoring.figures.find((entry) => entry.batch === batch)!.rows_per_second,
          ),
        })),
      },
    };
    if (flags.json) console.log(JSON.stringify(result, null, 2));
    else console.log(table(result));
  } finally {
    fs.rmSync(directory, { recursive: true, force: true });
  }
}

/** Writes meta.json and the float32 files both sides read; returns the label mean. */
function writeData(directory: string, settings: Settings): number {
  const train = syntheticBinarySet(settings.rows, settings.columns, 11);
  const test = syntheticBinarySet(settings.testRows, settings.columns, 12);
  const write = (name: string, values: Float32Array) =>
    fs.writeFileSync(path.join(directory, name), new Uint8Array(values.buffer));
  write('train.values.f32', train.matrix.values);
  write('train.labels.f32', train.labels);
  write('test.values.f32', test.matrix.values);
  write('test.labels.f32', test.labels);
  const columns = train.matrix.columns;
  const meta = { train_rows: settings.rows, test_rows: settings.testRows, columns };
  fs.writeFileSync(path.join(directory, 'meta.json'), JSON.stringify(meta));
  const mean = train.labels.reduce((sum, label) => sum + label, 0) / settings.rows;
  return Math.fround(mean);
}

/** Trains gfr's model in this (child) process and prints its figures as one JSON line. */
async function trainChild(directory: string, settings: Settings): Promise<void> {
  const meta = JSON.parse(fs.readFileSync(path.join(directory, 'meta.json'), 'utf8')) as {
    train_rows: number;
    test_rows: number;
    columns: number;
  };
  const featureNames = Array.from({ length: meta.columns }, (_, i) => `x${i}`);
  const matrix = {
    values: readFloat32(directory, 'train.values.f32'),
    rows: meta.train_rows,
    columns: meta.columns,
    featureNames,
  };
  const labels = readFloat32(directory, 'train.labels.f32');

  const started = performance.now();
  const result = await trainGbdt(
    { matrix, labels },
    {
      parameters: {
        rounds: settings.rounds,
        maxDepth: settings.depth,
        maxBins: settings.bins,
        learningRate: settings.learningRate,
        l2Regularization: 1,
        minChildWeight: 1,
        minSplitGain: 0,
        rowSubsample: 1,
        columnSubsample: 1,
        earlyStoppingRounds: 0,
        threads: settings.threads,
      },
    },
  );
  const wallMs = performance.now() - started;
  const peakRssKb = process.resourceUsage().maxRSS;

  const test = {
    values: readFloat32(directory, 'test.values.f32'),
    rows: meta.test_rows,
    columns: meta.columns,
    featureNames,
  };
  const probabilities = Float32Array.from(result.model.predictProbabilities(test));
  fs.writeFileSync(path.join(directory, 'test.gfr.f32'), new Uint8Array(probabilities.buffer));
  process.stdout.write(JSON.stringify({ wallMs, peakRssKb, timings: result.timings }) + '\n');
}

/** Loads XGBoost's scoring model, checks its margins, and measures gfr's rows per second. */
function scoreWithGfr(
  directory: string,
  settings: Settings,
): { parityRows: number; bitExact: boolean; rowsPerSecond: Map<number, number[]> } {
  const model = readXGBoostModelFile(path.join(directory, 'scoring-model.json'));
  const compiled = CompiledEnsemble.from(model);
  compiled.warmUp(10_000);
  const test = readFloat32(directory, 'test.values.f32');
  const columns = model.numFeature;
  const rows = test.length / columns;

  const expected = readFloat32(directory, 'scoring-margins.f32');
  const margins = compiled.predictMargins(test, expected.length);
  const bitExact = expected.every((margin, row) => Object.is(margin, margins[row]));

  const rowsPerSecond = new Map<number, number[]>();
  for (const batch of BATCH_SIZES) {
    const total = ROWS_PER_MEASUREMENT[batch];
    const out = new Float64Array(batch);
    const samples: number[] = [];
    for (let repeat = 0; repeat < settings.repeats; repeat++) {
      const started = performance.now();
      for (let done = 0, offset = 0; done < total; done += batch) {
        compiled.predictProbabilities(
          test.subarray(offset * columns, (offset + batch) * columns),
          batch,
          out,
        );
        offset = offset + 2 * batch <= rows ? offset + batch : 0;
      }
      samples.push((total / (performance.now() - started)) * 1000);
    }
    rowsPerSecond.set(batch, samples);
  }
  return { parityRows: expected.length, bitExact, rowsPerSecond };
}

function summarize(samples: number[]): { best: number; median: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    best: Math.round(sorted[sorted.length - 1]),
    median: Math.round(sorted[sorted.length >> 1]),
  };
}

function table(result: {
  settings: Settings;
  xgboostVersion: string;
  environment: { node: string; cpus: number; cpu: string; loadAverageAtEnd: number[] };
  training: { gfr: TrainingFigures; xgboost: TrainingFigures } | null;
  scoring: {
    parityRows: number;
    bitExactMargins: boolean;
    figures: {
      batch: number;
      gfr: { best: number; median: number };
      xgboost: { best: number; median: number };
    }[];
  };
}): string {
  const { settings, training, scoring } = result;
  const lines: string[] = [];
  const row = (cells: string[]) =>
    lines.push(cells.map((cell, i) => (i === 0 ? cell.padEnd(34) : cell.padStart(16))).join(''));
  if (training) {
    lines.push(
      `training: ${settings.rows} rows × ${settings.columns} features, ${settings.rounds} rounds, ` +
        `depth ${settings.depth}, ${settings.bins} bins, ${settings.threads} threads; ` +
        `AUC on ${settings.testRows} test rows`,
    );
    row(['', 'gfr', `XGBoost ${result.xgboostVersion}`, 'gfr / XGBoost']);
    const { gfr, xgboost } = training;
    row([
      'wall time (s)',
      (gfr.wallMs / 1000).toFixed(1),
      (xgboost.wallMs / 1000).toFixed(1),
      (gfr.wallMs / xgboost.wallMs).toFixed(2),
    ]);
    row([
      'peak resident memory (MB)',
      gfr.peakRssMb.toFixed(0),
      xgboost.peakRssMb.toFixed(0),
      (gfr.peakRssMb / xgboost.peakRssMb).toFixed(2),
    ]);
    row([
      'test ROC-AUC',
      gfr.testAuc.toFixed(5),
      xgboost.testAuc.toFixed(5),
      (gfr.testAuc - xgboost.testAuc).toFixed(5),
    ]);
    lines.push(
      `  XGBoost: DMatrix ${(xgboost.detail.dmatrixMs / 1000).toFixed(1)} s + xgb.train ` +
        `${(xgboost.detail.trainMs / 1000).toFixed(1)} s; gfr: binning ` +
        `${(gfr.detail.binningMs / 1000).toFixed(1)} s, histograms ${(gfr.detail.histogramMs / 1000).toFixed(1)} s, ` +
        `partition ${(gfr.detail.partitionMs / 1000).toFixed(1)} s, update ${(gfr.detail.updateMs / 1000).toFixed(1)} s, ` +
        `split search ${(gfr.detail.splitSearchMs / 1000).toFixed(1)} s`,
    );
    lines.push('');
  }
  lines.push(
    `scoring: ${settings.scoringTrees} trees, depth ${settings.depth}, one thread, probabilities; ` +
      `rows/s, best (median) of ${settings.repeats}; margins of ${scoring.parityRows} rows ` +
      `bit-exact: ${scoring.bitExactMargins}`,
  );
  row(['batch', 'gfr compiled', 'XGBoost inplace', 'gfr / XGBoost']);
  for (const entry of scoring.figures) {
    row([
      String(entry.batch),
      `${entry.gfr.best} (${entry.gfr.median})`,
      `${entry.xgboost.best} (${entry.xgboost.median})`,
      (entry.gfr.median / entry.xgboost.median).toFixed(2),
    ]);
  }
  const { environment } = result;
  lines.push(
    `node ${environment.node}, ${environment.cpus} × ${environment.cpu}, load at end ${environment.loadAverageAtEnd.join(' ')}`,
  );
  return lines.join('\n');
}

function childArgs(flags: Record<string, unknown>): string[] {
  return ['rows', 'test-rows', 'columns', 'rounds', 'depth', 'bins', 'threads'].flatMap((name) => [
    `--${name}`,
    String(flags[name]),
  ]);
}

/** Reads a float32 file straight into a new array (no second copy to inflate peak memory). */
function readFloat32(directory: string, name: string): Float32Array {
  const file = path.join(directory, name);
  const values = new Float32Array(fs.statSync(file).size / 4);
  const bytes = new Uint8Array(values.buffer);
  const descriptor = fs.openSync(file, 'r');
  try {
    for (let done = 0; done < bytes.length;) {
      const read = fs.readSync(descriptor, bytes, done, bytes.length - done, done);
      if (read === 0) throw new Error(`${file} ended after ${done} bytes`);
      done += read;
    }
  } finally {
    fs.closeSync(descriptor);
  }
  return values;
}

function positiveInteger(value: string | undefined, name: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed <= 0) {
    throw new Error(`${name} must be a positive integer, got '${value}'`);
  }
  return parsed;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
