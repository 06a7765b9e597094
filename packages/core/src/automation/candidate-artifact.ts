/**
 * The retraining chain's evaluate step: whatever trained the candidate (gfr's trainer, whose
 * output is already an artifact, or SageMaker's built-in XGBoost, whose output is a bare
 * `xgboost-model`), the result is one artifact the image serves, scored on the window's test
 * days, with the report the deploy handler's gate reads.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { LoadedArtifact, loadArtifact } from '../artifact/load-artifact';
import { writeArtifact } from '../artifact/write-artifact';
import { chooseCalibration } from '../calibration';
import { InputNotFoundError, InvalidArgumentError } from '../errors';
import { summarizeFeatureDistributions } from '../drift/feature-distribution';
import { readXGBoostModelFile } from '../gbdt';
import { produceAtomically, writeFileAtomic } from '../io/atomic';
import { Logger, silentLogger } from '../log';
import { binaryClassificationReport } from '../metrics';
import { evaluateArtifact } from '../pipeline/evaluate-artifact';
import { calibrate, trainHead } from '../pipeline/train-heads';
import { defaultRankerParameters } from '../pipeline/train-ranker';
import { PreparedTrainingSets, TrainingSet, selectPart } from '../pipeline/training-sets';

/** Which trainer produced a candidate. */
export type CandidateTrainer = 'gfr' | 'xgboost';

/** What {@link packageCandidate} wrote. */
export interface PackagedCandidate {
  trainer: CandidateTrainer;
  /** `<outDir>/model.tar.gz`: the artifact the endpoint serves. */
  tarball: string;
  /** `<outDir>/report.json`: test metrics per head, read by the promotion gate. */
  reportPath: string;
  report: Record<string, unknown>;
}

/**
 * Turns training output into a served artifact plus `report.json` in `outDir`. `trainingOutput`
 * is a `model.tar.gz` (or a folder holding one, or the unpacked files): a gfr artifact is taken
 * as it is; an XGBoost model becomes the pCTR head, calibrated on the validation days, with the
 * training days' feature distributions for drift checks, and a pCVR head trained here with gfr's
 * trainer on the (small) click examples. Both kinds are then scored on the same test days.
 */
export async function packageCandidate(
  trainingOutput: string,
  prepared: PreparedTrainingSets,
  outDir: string,
  logger: Logger = silentLogger,
): Promise<PackagedCandidate> {
  const source = findModelFile(trainingOutput);
  const isGfrArtifact = await loadArtifact(source).then(
    (artifact) => artifact,
    () => null,
  );
  fs.mkdirSync(outDir, { recursive: true });
  const tarball = path.join(outDir, 'model.tar.gz');

  let artifact: LoadedArtifact;
  let trainer: CandidateTrainer;
  if (isGfrArtifact) {
    trainer = 'gfr';
    artifact = isGfrArtifact;
    if (fs.statSync(source).isDirectory()) {
      throw new InvalidArgumentError(
        `${source} is an unpacked gfr artifact; give the training job's model.tar.gz`,
      );
    }
    // A copy cut short by a kill must not be taken for the candidate: copy aside, then rename.
    await produceAtomically(tarball, async (temporary) => fs.copyFileSync(source, temporary));
  } else {
    trainer = 'xgboost';
    const written = await writeXGBoostArtifact(source, prepared, outDir, logger);
    artifact = await loadArtifact(written);
  }

  const evaluation = evaluateArtifact(artifact, prepared);
  const report = {
    created_at: new Date().toISOString(),
    model_version: artifact.manifest.model_version,
    trainer,
    training_output: trainingOutput,
    models: {
      ctr: { test: evaluation.ctr },
      ...(evaluation.cvr ? { cvr: { test: evaluation.cvr } } : {}),
    },
    artifact: tarball,
  };
  const reportPath = path.join(outDir, 'report.json');
  writeFileAtomic(reportPath, JSON.stringify(report, null, 2) + '\n');
  logger.info('candidate packaged', { trainer, model_version: report.model_version });
  return { trainer, tarball, reportPath, report };
}

async function writeXGBoostArtifact(
  modelFile: string,
  prepared: PreparedTrainingSets,
  outDir: string,
  logger: Logger,
): Promise<string> {
  const model = readXGBoostModelFile(modelFile);
  const train = selectPart(prepared.ctr, 'train');
  const validation = selectPart(prepared.ctr, 'validation');
  const test = selectPart(prepared.ctr, 'test');
  const validationRaw = model.predictProbabilities(validation.features);
  const calibration = chooseCalibration(validationRaw, validation.labels);
  const report = (set: TrainingSet, predictions: ArrayLike<number>) =>
    binaryClassificationReport(set.labels, predictions, set.userIds);

  const cvr =
    prepared.cvr && hasPositives(prepared.cvr)
      ? await trainHead(prepared.cvr, defaultRankerParameters, logger)
      : null;
  const written = await writeArtifact(outDir, {
    ctr: { model, calibration, bestIteration: Math.max(0, model.numTrees - 1) },
    cvr: cvr
      ? { model: cvr.model, calibration: cvr.calibration, bestIteration: cvr.bestIteration }
      : null,
    featureSettings: prepared.featureSettings,
    featureDistributions: summarizeFeatureDistributions(train.features),
    trainingWindow: timeWindow(train),
    split: prepared.split,
    reconstructedImpressions: prepared.reconstructedImpressions,
    negativeKeepRate: prepared.negativeKeepRate,
    parameters: { trainer: 'sagemaker-xgboost', model_file: path.basename(modelFile) },
    metrics: {
      ctr: {
        validation: report(validation, calibrate(calibration, validationRaw)),
        test: report(test, calibrate(calibration, model.predictProbabilities(test.features))),
      },
      ...(cvr ? { cvr: { validation: cvr.validation, test: cvr.test } } : {}),
    },
  });
  return written.tarball;
}

function findModelFile(location: string): string {
  if (!fs.existsSync(location)) {
    throw new InputNotFoundError(location, `training output ${location} does not exist`);
  }
  if (!fs.statSync(location).isDirectory()) return location;
  for (const name of ['model.tar.gz', 'xgboost-model', 'manifest.json']) {
    if (fs.existsSync(path.join(location, name))) {
      return name === 'manifest.json' ? location : path.join(location, name);
    }
  }
  throw new InputNotFoundError(
    location,
    `${location} holds no model.tar.gz, xgboost-model or gfr artifact ` +
      `(it holds: ${fs.readdirSync(location).slice(0, 10).join(', ') || 'nothing'})`,
  );
}

function hasPositives(set: TrainingSet): boolean {
  const positivesIn = (part: string) =>
    set.parts.some((value, row) => value === part && set.labels[row] === 1);
  return positivesIn('train') && positivesIn('validation');
}

function timeWindow(set: TrainingSet): { start: Date; end: Date } {
  let start = Infinity;
  let end = -Infinity;
  for (const t of set.times) {
    start = Math.min(start, t);
    end = Math.max(end, t);
  }
  return { start: new Date(start * 1000), end: new Date(end * 1000) };
}
