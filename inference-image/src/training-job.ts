import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  Logger,
  TrainedRanker,
  canonicalFileName,
  defaultLogger,
  defaultPreparationSettings,
  gbdt,
  prepareTrainingSets,
  readTrainingSets,
  trainRanker,
} from '@gfr/core';

import { TrainingJobInputError } from './errors';
import { TrainingHyperparameters, readHyperparameters } from './hyperparameters';
import { SageMakerLayout, sageMakerLayout } from './sagemaker-layout';

/** The input channel holding the canonical tables. */
export const trainingChannel = 'train';

/** The metadata file of training sets written by the process step (`writeTrainingSets`). */
const trainingSetsFile = 'training-sets.json';

/** SageMaker reads only this many characters of the failure file. */
const failureReasonLength = 1024;

/** Options of {@link runTrainingJob}. */
export interface TrainingJobOptions {
  /** The SageMaker root, `/opt/ml` in a job. */
  root: string;
  logger?: Logger;
  /** Aborted by StopTrainingJob's SIGTERM: the job ends at once, writing no model. */
  stop?: AbortSignal;
  /** Where metric lines (`validation-auc=0.81234;`) are printed. @default process.stdout */
  metricsOutput?: { write(text: string): unknown };
}

/**
 * Metric lines the job prints, with the regular expression a training job's
 * `MetricDefinitions` needs for each (the value is the first group). pCVR metrics carry a
 * `cvr-` prefix; the unprefixed ones are pCTR's.
 */
export const trainingMetricDefinitions: readonly { Name: string; Regex: string }[] = [
  'validation-auc',
  'validation-logloss',
  'test-auc',
  'test-logloss',
  'test-gauc',
  'test-ece',
  'cvr-validation-auc',
  'cvr-validation-logloss',
  'cvr-test-auc',
  'cvr-test-logloss',
  'test-ndcg-at-10',
].map((name) => ({ Name: name, Regex: `(?:^|\\s)${name}=([0-9.eE+-]+);` }));

/**
 * Runs gfr's trainer on SageMaker's training layout: hyperparameters from
 * `input/config/hyperparameters.json`, the `train` channel holding either the process step's
 * training sets (`training-sets.json` and examples) or canonical tables (events, items, users),
 * the artifact's files straight into `model/` and `report.json` into `output/data/`. Prints one metric line per metric. On failure writes `output/failure` (its
 * first 1,024 characters are the job's FailureReason) and returns 1; on success returns 0.
 */
export async function runTrainingJob(options: TrainingJobOptions): Promise<number> {
  const logger = (options.logger ?? defaultLogger).child({ component: 'training-job' });
  const layout = sageMakerLayout(options.root);
  const stop = options.stop ?? new AbortController().signal;
  const stopped = new Promise<'stopped'>((resolve) => {
    if (stop.aborted) resolve('stopped');
    else stop.addEventListener('abort', () => resolve('stopped'), { once: true });
  });

  const work = train(layout, logger, stop).then(
    (trained) => ({ trained }),
    (error: unknown) => ({ error }),
  );
  const outcome = await Promise.race([work, stopped]);
  if (outcome === 'stopped') {
    // StopTrainingJob marks the job Stopped whatever the exit code; nothing was written yet.
    logger.warn('training stopped by a signal before it finished; no model written');
    return 0;
  }
  if ('error' in outcome) {
    const reason = errorMessage(outcome.error);
    logger.error('training failed', { reason });
    writeFailure(layout, reason);
    return 1;
  }

  const output = options.metricsOutput ?? process.stdout;
  for (const line of metricLines(outcome.trained)) output.write(line + '\n');
  return 0;
}

async function train(
  layout: SageMakerLayout,
  logger: Logger,
  stop: AbortSignal,
): Promise<TrainedRanker> {
  requireSingleHost(layout.resourceConfig);
  const hyperparameters = readHyperparameters(layout.hyperparameters);
  const tables = layout.channel(trainingChannel);
  // The retraining chain's process step hands over built training sets; a manual job, tables.
  const builtSets = fs.existsSync(path.join(tables, trainingSetsFile));
  if (!builtSets) requireCanonicalTables(tables);
  logger.info('training started', { tables, parameters: hyperparameters.parameters });

  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gfr-training-job-'));
  try {
    const prepared = builtSets
      ? await readTrainingSets(tables)
      : await prepareTrainingSets(tables, defaultPreparationSettings, logger);
    const trained = await trainRanker(prepared, workDir, {
      parameters: hyperparameters.parameters,
      logger,
      data: { source: 'sagemaker-training-job', channel: tables },
    }).catch((error: unknown) => {
      throw describeParameterError(error, hyperparameters);
    });
    if (stop.aborted) return trained;

    // SageMaker tars model/ itself: the artifact's files go straight in, not in a subfolder.
    fs.mkdirSync(layout.model, { recursive: true });
    for (const name of fs.readdirSync(trained.artifact.directory)) {
      fs.copyFileSync(path.join(trained.artifact.directory, name), path.join(layout.model, name));
    }
    fs.mkdirSync(layout.outputData, { recursive: true });
    fs.copyFileSync(trained.reportPath, path.join(layout.outputData, 'report.json'));
    logger.info('model written', {
      model_dir: layout.model,
      model_version: trained.artifact.manifest.model_version,
    });
    return trained;
  } finally {
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}

/** `validation-auc=0.812340;` lines of the metrics that exist (null ones are left out). */
export function metricLines(trained: TrainedRanker): string[] {
  const lines: string[] = [];
  const add = (name: string, value: number | null | undefined) => {
    if (typeof value === 'number' && Number.isFinite(value)) {
      lines.push(`${name}=${value.toFixed(6)};`);
    }
  };
  for (const head of [trained.ctr, trained.cvr]) {
    if (!head) continue;
    const prefix = head.head === 'ctr' ? '' : 'cvr-';
    add(`${prefix}validation-auc`, head.validation.auc);
    add(`${prefix}validation-logloss`, head.validation.logloss);
    add(`${prefix}test-auc`, head.test.auc);
    add(`${prefix}test-logloss`, head.test.logloss);
    if (head.head === 'ctr') {
      add('test-gauc', head.test.gauc);
      add('test-ece', head.test.ece);
    }
  }
  add('test-ndcg-at-10', trained.ranking.ndcg_at_10);
  return lines;
}

function requireSingleHost(resourceConfig: string): void {
  if (!fs.existsSync(resourceConfig)) return;
  let hosts: unknown;
  try {
    hosts = (JSON.parse(fs.readFileSync(resourceConfig, 'utf8')) as { hosts?: unknown }).hosts;
  } catch (error) {
    throw new TrainingJobInputError(`${resourceConfig} is not valid JSON: ${errorMessage(error)}`);
  }
  if (Array.isArray(hosts) && hosts.length > 1) {
    throw new TrainingJobInputError(
      `gfr's trainer runs on one instance but the job has ${hosts.length} (${hosts.join(', ')}); ` +
        "set InstanceCount to 1, or use SageMaker's built-in XGBoost for distributed training",
    );
  }
}

function requireCanonicalTables(directory: string): void {
  if (!fs.existsSync(directory)) {
    throw new TrainingJobInputError(
      `the ${trainingChannel} channel ${directory} does not exist: give the job an input ` +
        `channel named "${trainingChannel}" holding events.parquet, items.parquet, users.parquet`,
    );
  }
  const names = (['events', 'items', 'users'] as const).map(canonicalFileName);
  const missing = names.filter((name) => !fs.existsSync(path.join(directory, name)));
  if (missing.length > 0) {
    const present = fs.readdirSync(directory).slice(0, 10);
    throw new TrainingJobInputError(
      `the ${trainingChannel} channel ${directory} lacks ${missing.join(', ')} ` +
        `(it holds: ${present.length ? present.join(', ') : 'nothing'}); ` +
        'write canonical tables with gfr ingest or gfr simulate',
    );
  }
}

function describeParameterError(error: unknown, hyperparameters: TrainingHyperparameters): unknown {
  if (!(error instanceof gbdt.GbdtParameterError)) return error;
  const parameter = error.parameter as keyof gbdt.GbdtParameters;
  const name = hyperparameters.givenAs[parameter] ?? parameter;
  return new TrainingJobInputError(`hyperparameter ${name}: ${error.message}`, { cause: error });
}

function writeFailure(layout: SageMakerLayout, reason: string): void {
  try {
    fs.mkdirSync(path.dirname(layout.failure), { recursive: true });
    fs.writeFileSync(layout.failure, reason.slice(0, failureReasonLength));
  } catch {
    // Nothing more can be reported: the reason is in the log already.
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? `${error.message}` : String(error);
}
