/**
 * Benchmark of the tree scorers, side by side in one run on one thread: the reference traversal
 * (`TreeEnsemble.predictMargins`), the flat typed-array kernel (`FlatEnsemble`) and the compiled
 * scorer (`CompiledEnsemble`), on batches of 1, 500 and 10,000 rows of a 300-tree depth-6 model
 * (trained here on synthetic data with missing values, 32 columns like gfr's feature set, unless
 * `--model` names an XGBoost JSON file). Also the cost of compiling and warming up, latency
 * per 500-row batch, and of isotonic calibration of 500 probabilities.
 *
 *   npm run build --silent && node packages/core/dist/gbdt/bench/bench-scorer.js [--json]
 *
 * Options: --model FILE, --trees N (300), --depth N (6), --rounds N (7: measurements per
 * scorer and batch size, interleaved so that load from other processes hits all alike),
 * --json. Figures are rows per second, best and median of the rounds.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import { parseArgs } from 'node:util';

import { applyCalibration, fitIsotonicCalibration } from '../../calibration';
import { CompiledEnsemble } from '../compiled-ensemble';
import { FeatureMatrix } from '../feature-matrix';
import { FlatEnsemble } from '../flat-ensemble';
import { syntheticBinarySet } from '../synthetic-data';
import { trainGbdt } from '../trainer';
import { TreeEnsemble } from '../tree-ensemble';

const COLUMNS = 32;
const DATA_ROWS = 10_000;
const BATCH_SIZES = [1, 500, 10_000];
/** Rows scored per measurement: enough for a stable time, few enough for a quick run. */
const ROWS_PER_MEASUREMENT: Record<number, number> = { 1: 2_000, 500: 10_000, 10_000: 20_000 };

type ScoreBatch = (values: Float32Array, rows: number, out: Float64Array) => void;

interface ScorerFigures {
  batch: number;
  scorer: string;
  bestRowsPerSecond: number;
  medianRowsPerSecond: number;
}

async function main(): Promise<void> {
  const { values: flags } = parseArgs({
    options: {
      model: { type: 'string' },
      trees: { type: 'string', default: '300' },
      depth: { type: 'string', default: '6' },
      rounds: { type: 'string', default: '7' },
      json: { type: 'boolean', default: false },
    },
  });
  const log = flags.json ? () => undefined : (line: string) => console.log(line);
  const rounds = positiveInteger(flags.rounds, '--rounds');

  const started = performance.now();
  const model = flags.model
    ? TreeEnsemble.fromXGBoostJson(fs.readFileSync(flags.model, 'utf8'))
    : await trainModel(
        positiveInteger(flags.trees, '--trees'),
        positiveInteger(flags.depth, '--depth'),
      );
  const columns = model.numFeature;
  log(`model: ${model.numTrees} trees, ${columns} features (${msSince(started)} ms to get it)`);

  const data = syntheticBinarySet(DATA_ROWS, columns, 7).matrix.values;

  const compileStart = performance.now();
  const compiled = CompiledEnsemble.from(model);
  const compileMs = msSince(compileStart);
  const warmUpStart = performance.now();
  const warmUp = compiled.warmUp(10_000);
  const warmUpMs = msSince(warmUpStart);
  const warmUpBatches = warmUp.batchMilliseconds;
  const flat = FlatEnsemble.from(model);
  log(
    `compiled: ${compiled.compiledTrees}/${compiled.numTrees} trees as generated code, ` +
      `from() ${compileMs} ms, warm-up ${warmUpMs} ms: ${warmUpBatches.length} batches of 500 ` +
      `rows, ${warmUp.settled ? 'settled' : 'not settled'} (first batch ` +
      `${warmUpBatches[0].toFixed(1)} ms, last ${warmUpBatches[warmUpBatches.length - 1].toFixed(1)} ms)`,
  );

  const scorers: Array<[string, ScoreBatch]> = [
    [
      'reference',
      (values, rows, out) => out.set(model.predictMargins(matrixOf(values, rows, columns))),
    ],
    ['flat', (values, rows, out) => flat.predictMargins(values, rows, out)],
    ['compiled', (values, rows, out) => compiled.predictMargins(values, rows, out)],
  ];
  const identical = checkIdentical(scorers, data);
  log(`margins of all ${DATA_ROWS} rows bit-identical across the three scorers: ${identical}`);

  const figures: ScorerFigures[] = [];
  for (const batch of BATCH_SIZES) {
    const samples = new Map<string, number[]>(scorers.map(([name]) => [name, []]));
    for (let round = 0; round < rounds; round++) {
      for (const [name, score] of scorers) {
        samples.get(name)!.push(rowsPerSecond(score, data, columns, batch));
      }
    }
    for (const [name] of scorers) {
      const sorted = samples.get(name)!.sort((a, b) => a - b);
      figures.push({
        batch,
        scorer: name,
        bestRowsPerSecond: Math.round(sorted[sorted.length - 1]),
        medianRowsPerSecond: Math.round(sorted[sorted.length >> 1]),
      });
    }
  }

  const latency = batchLatencies(scorers, data, columns, 500, 200);
  const calibration = calibrationCost(compiled, data, columns);
  const environment = {
    node: process.version,
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cpus: os.cpus().length,
    loadAverage: os.loadavg().map((load) => Number(load.toFixed(2))),
  };

  if (flags.json) {
    console.log(
      JSON.stringify(
        {
          environment,
          trees: model.numTrees,
          compileMs,
          warmUpMs,
          identical,
          figures,
          latency,
          calibration,
        },
        null,
        2,
      ),
    );
    return;
  }
  log('');
  log('rows per second, best (median) of ' + rounds + ' rounds:');
  log(['batch'.padStart(8), ...scorers.map(([name]) => name.padStart(22))].join(''));
  for (const batch of BATCH_SIZES) {
    const cells = scorers.map(([name]) => {
      const entry = figures.find((f) => f.batch === batch && f.scorer === name)!;
      return `${entry.bestRowsPerSecond} (${entry.medianRowsPerSecond})`.padStart(22);
    });
    log([String(batch).padStart(8), ...cells].join(''));
  }
  log('');
  log('milliseconds per 500-row batch over 200 batches, median / p99:');
  for (const entry of latency)
    log(`  ${entry.scorer.padEnd(10)} ${entry.medianMs} / ${entry.p99Ms}`);
  log(
    `isotonic calibration (${calibration.thresholds} thresholds) of 500 probabilities: ` +
      `${calibration.microsecondsPer500} µs`,
  );
  log(
    `node ${environment.node}, ${environment.cpus} × ${environment.cpu}, load ${environment.loadAverage.join(' ')}`,
  );
}

async function trainModel(trees: number, depth: number): Promise<TreeEnsemble> {
  const train = syntheticBinarySet(20_000, COLUMNS, 1);
  const { model } = await trainGbdt(train, {
    parameters: { rounds: trees, maxDepth: depth, threads: 1, learningRate: 0.1 },
  });
  return model;
}

function matrixOf(values: Float32Array, rows: number, columns: number): FeatureMatrix {
  return { values, rows, columns, featureNames: [] };
}

function checkIdentical(scorers: Array<[string, ScoreBatch]>, data: Float32Array): boolean {
  const results = scorers.map(([, score]) => {
    const out = new Float64Array(DATA_ROWS);
    score(data, DATA_ROWS, out);
    return out;
  });
  return results.every((margins) =>
    margins.every((margin, row) => Object.is(margin, results[0][row])),
  );
}

/** Scores ROWS_PER_MEASUREMENT rows in batches of `batch`, walking through the data. */
function rowsPerSecond(
  score: ScoreBatch,
  data: Float32Array,
  columns: number,
  batch: number,
): number {
  const total = ROWS_PER_MEASUREMENT[batch];
  const out = new Float64Array(batch);
  const start = performance.now();
  for (let done = 0, offset = 0; done < total; done += batch) {
    score(data.subarray(offset * columns, (offset + batch) * columns), batch, out);
    offset = offset + 2 * batch <= DATA_ROWS ? offset + batch : 0;
  }
  return (total / (performance.now() - start)) * 1000;
}

function batchLatencies(
  scorers: Array<[string, ScoreBatch]>,
  data: Float32Array,
  columns: number,
  batch: number,
  count: number,
): Array<{ scorer: string; medianMs: number; p99Ms: number }> {
  const times = new Map<string, number[]>(scorers.map(([name]) => [name, []]));
  const out = new Float64Array(batch);
  for (let index = 0; index < count; index++) {
    const offset = (index * batch) % (DATA_ROWS - batch);
    const values = data.subarray(offset * columns, (offset + batch) * columns);
    for (const [name, score] of scorers) {
      const start = performance.now();
      score(values, batch, out);
      times.get(name)!.push(performance.now() - start);
    }
  }
  return scorers.map(([name]) => {
    const sorted = times.get(name)!.sort((a, b) => a - b);
    const at = (share: number) =>
      Number(sorted[Math.floor(share * (sorted.length - 1))].toFixed(2));
    return { scorer: name, medianMs: at(0.5), p99Ms: at(0.99) };
  });
}

/** Isotonic calibration fitted on the model's own probabilities, applied to 500 of them. */
function calibrationCost(
  compiled: CompiledEnsemble,
  data: Float32Array,
  columns: number,
): { thresholds: number; microsecondsPer500: number } {
  const probabilities = compiled.predictProbabilities(data, DATA_ROWS, undefined, columns);
  const labels = syntheticBinarySet(DATA_ROWS, columns, 7).labels;
  const map = fitIsotonicCalibration(probabilities, labels);
  const repeats = 2_000;
  let sink = 0;
  const start = performance.now();
  for (let repeat = 0; repeat < repeats; repeat++) {
    for (let row = 0; row < 500; row++) sink += applyCalibration(map, probabilities[repeat + row]);
  }
  const microseconds = ((performance.now() - start) / repeats) * 1000;
  if (sink < 0) console.log(sink);
  return { thresholds: map.thresholds.length, microsecondsPer500: Number(microseconds.toFixed(1)) };
}

function positiveInteger(text: string | undefined, flag: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`${flag} must be a positive integer, got '${text}'`);
  }
  return value;
}

function msSince(start: number): number {
  return Math.round(performance.now() - start);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
