/**
 * The retraining chain's two SageMaker Processing steps, run by this image:
 *
 * - `process` cuts the canonical tables (the bucket's `data/`) to the run's window and builds
 *   the training sets with the same DuckDB feature code as `gfr features`, written for gfr's
 *   trainer (`gfr/`) and as Parquet shards for SageMaker's XGBoost (`xgboost/train`,
 *   `xgboost/validation`).
 * - `evaluate` turns the training job's `model.tar.gz` (gfr's or XGBoost's) into the served
 *   artifact and the `report.json` the deploy handler gates on.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  Logger,
  PackagedCandidate,
  TrainingWindow,
  defaultLogger,
  packageCandidate,
  prepareTrainingSets,
  readTrainingSets,
  windowPreparationSettings,
  writeTrainingSets,
  writeWindowTables,
  writeXGBoostShards,
} from '@gfr/core';

import { TrainingJobInputError } from './errors';

/** SageMaker Processing's container paths under a root (`/opt/ml` in a job). */
export function processingLayout(root: string) {
  const processing = path.join(root, 'processing');
  return {
    canonicalInput: path.join(processing, 'input', 'data'),
    trainingSetsOutput: path.join(processing, 'output', 'training-sets'),
    trainingSetsInput: path.join(processing, 'input', 'training-sets'),
    modelInput: path.join(processing, 'input', 'model'),
    artifactOutput: path.join(processing, 'output', 'artifact'),
  };
}

/** The training sets' sub-folders: gfr's own format and XGBoost's shards. */
export const trainingSetFolders = { gfr: 'gfr', xgboost: 'xgboost' } as const;

/** Options of {@link runProcessingJob}. */
export interface ProcessingJobOptions {
  root: string;
  window: TrainingWindow;
  /** Objects per XGBoost channel: at least the training instance count. */
  shards: number;
  logger?: Logger;
}

/** The `process` step: canonical tables → the window's training sets, both formats. */
export async function runProcessingJob(options: ProcessingJobOptions): Promise<void> {
  const logger = (options.logger ?? defaultLogger).child({ component: 'processing-job' });
  const layout = processingLayout(options.root);
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gfr-process-'));
  try {
    const cut = await writeWindowTables(layout.canonicalInput, options.window, workDir);
    logger.info('tables cut to the window', { window: options.window, events: cut.events });
    const prepared = await prepareTrainingSets(
      workDir,
      windowPreparationSettings(options.window),
      logger,
    );
    const gfrSets = path.join(layout.trainingSetsOutput, trainingSetFolders.gfr);
    await writeTrainingSets(gfrSets, prepared);
    const rows = await writeXGBoostShards(
      path.join(gfrSets, 'ctr-examples.parquet'),
      path.join(layout.trainingSetsOutput, trainingSetFolders.xgboost),
      options.shards,
    );
    logger.info('training sets written', { output: layout.trainingSetsOutput, xgboost_rows: rows });
  } finally {
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}

/** The `evaluate` step: training output → served artifact and report.json. */
export async function runEvaluationJob(options: {
  root: string;
  logger?: Logger;
}): Promise<PackagedCandidate> {
  const logger = (options.logger ?? defaultLogger).child({ component: 'evaluation-job' });
  const layout = processingLayout(options.root);
  const setsDir = fs.existsSync(path.join(layout.trainingSetsInput, trainingSetFolders.gfr))
    ? path.join(layout.trainingSetsInput, trainingSetFolders.gfr)
    : layout.trainingSetsInput;
  const prepared = await readTrainingSets(setsDir);
  return packageCandidate(layout.modelInput, prepared, layout.artifactOutput, logger);
}

/** Reads the run's window from `--window` JSON (or GFR_RETRAIN_WINDOW), validating each time. */
export function parseWindow(text: string | undefined): TrainingWindow {
  if (!text) {
    throw new TrainingJobInputError(
      'process needs the window: --window \'{"trainStart": ..., "validationStart": ..., ' +
        '"testStart": ..., "testEnd": ..., "gapHours": 0}\' or GFR_RETRAIN_WINDOW',
    );
  }
  let value: Record<string, unknown>;
  try {
    value = JSON.parse(text) as Record<string, unknown>;
  } catch (error) {
    throw new TrainingJobInputError(`the window is not JSON: ${(error as Error).message}`);
  }
  const times = ['trainStart', 'validationStart', 'testStart', 'testEnd'] as const;
  for (const name of times) {
    if (typeof value[name] !== 'string' || Number.isNaN(Date.parse(value[name] as string))) {
      throw new TrainingJobInputError(
        `window.${name} is ${JSON.stringify(value[name])}, not a time`,
      );
    }
  }
  const ordered = times.map((name) => Date.parse(value[name] as string));
  if (!ordered.every((time, index) => index === 0 || ordered[index - 1] < time)) {
    throw new TrainingJobInputError(`window times must increase: ${times.join(' < ')}`);
  }
  const gapHours = value.gapHours === undefined ? 0 : Number(value.gapHours);
  if (!(gapHours >= 0)) {
    throw new TrainingJobInputError(`window.gapHours is ${JSON.stringify(value.gapHours)}`);
  }
  return {
    trainStart: value.trainStart as string,
    validationStart: value.validationStart as string,
    testStart: value.testStart as string,
    testEnd: value.testEnd as string,
    gapHours,
  };
}
