import * as fs from 'node:fs';
import { gbdt } from '@gfr/core';

import { TrainingJobInputError } from './errors';

type GbdtParameters = gbdt.GbdtParameters;

/**
 * Hyperparameter names a training job accepts and the GBDT parameter each sets. XGBoost's
 * names (`num_round`, `eta`, `lambda`…) work too, so a job definition written for SageMaker's
 * built-in XGBoost carries over.
 */
export const hyperparameterNames: Readonly<Record<string, keyof GbdtParameters>> = {
  rounds: 'rounds',
  num_round: 'rounds',
  learning_rate: 'learningRate',
  eta: 'learningRate',
  max_depth: 'maxDepth',
  max_bin: 'maxBins',
  lambda: 'l2Regularization',
  reg_lambda: 'l2Regularization',
  min_child_weight: 'minChildWeight',
  gamma: 'minSplitGain',
  min_split_loss: 'minSplitGain',
  subsample: 'rowSubsample',
  colsample_bytree: 'columnSubsample',
  early_stopping_rounds: 'earlyStoppingRounds',
  seed: 'seed',
  threads: 'threads',
  nthread: 'threads',
  base_score: 'baseScore',
};

/** The only objective the heads train with; `objective` may say so, nothing else. */
const supportedObjective = 'binary:logistic';

/**
 * Reads `hyperparameters.json` (absent means none) into GBDT parameters. Values are strings,
 * possibly JSON-encoded by the Python SDK (`"\"0.1\""`): each is JSON-parsed when it can be and
 * kept raw otherwise, then read as a number. Keys SageMaker or its SDK add (`sagemaker_*`,
 * `_tuning_objective_metric`) are ignored; any other unknown key fails, so a typo never trains
 * with a silent default. Ranges are checked by the trainer.
 */
export function readHyperparameters(file: string): TrainingHyperparameters {
  if (!fs.existsSync(file)) return { parameters: {}, givenAs: {} };
  let document: unknown;
  try {
    document = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new TrainingJobInputError(`${file} is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    throw new TrainingJobInputError(`${file} must hold a JSON object of hyperparameters`);
  }
  return hyperparametersToParameters(document as Record<string, unknown>);
}

/** GBDT parameters read from hyperparameters, and which name set each. */
export interface TrainingHyperparameters {
  parameters: Partial<GbdtParameters>;
  /** The hyperparameter that set each parameter, e.g. `{ learningRate: 'eta' }`. */
  givenAs: Partial<Record<keyof GbdtParameters, string>>;
}

/** Maps a hyperparameter object (values as SageMaker passes them) to GBDT parameters. */
export function hyperparametersToParameters(
  hyperparameters: Record<string, unknown>,
): TrainingHyperparameters {
  const parameters: Partial<Record<keyof GbdtParameters, number>> = {};
  const givenAs: TrainingHyperparameters['givenAs'] = {};
  for (const [key, given] of Object.entries(hyperparameters)) {
    if (key.startsWith('sagemaker_') || key.startsWith('_')) continue;
    const value = decodeValue(given);

    if (key === 'objective') {
      if (value !== supportedObjective) {
        throw new TrainingJobInputError(
          `hyperparameter objective "${value}" is not supported: the heads train ${supportedObjective}`,
        );
      }
      continue;
    }
    const parameter = hyperparameterNames[key];
    if (!parameter) {
      throw new TrainingJobInputError(
        `unknown hyperparameter "${key}"; accepted: objective, ` +
          Object.keys(hyperparameterNames).join(', '),
      );
    }
    const number = typeof value === 'number' ? value : Number(value);
    if (typeof value === 'boolean' || String(value).trim() === '' || !Number.isFinite(number)) {
      throw new TrainingJobInputError(
        `hyperparameter ${key} must be a number, got ${JSON.stringify(given)}`,
      );
    }
    if (givenAs[parameter]) {
      throw new TrainingJobInputError(
        `hyperparameters ${givenAs[parameter]} and ${key} both set ${parameter}; give one`,
      );
    }
    parameters[parameter] = number;
    givenAs[parameter] = key;
  }
  return { parameters: parameters as Partial<GbdtParameters>, givenAs };
}

function decodeValue(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}
