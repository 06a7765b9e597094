import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { hyperparametersToParameters, readHyperparameters } from './hyperparameters';

describe('hyperparametersToParameters', () => {
  test('reads SageMaker strings, JSON-encoded or raw, into GBDT parameters', () => {
    const settings = hyperparametersToParameters({
      rounds: '"150"',
      max_depth: '5',
      eta: '0.05',
      subsample: '"0.8"',
      colsample_bytree: '0.7',
      lambda: '3',
      early_stopping_rounds: '10',
      objective: '"binary:logistic"',
      sagemaker_region: '"eu-west-1"',
      _tuning_objective_metric: 'validation:auc',
    });
    expect(settings.parameters).toEqual({
      rounds: 150,
      maxDepth: 5,
      learningRate: 0.05,
      rowSubsample: 0.8,
      columnSubsample: 0.7,
      l2Regularization: 3,
      earlyStoppingRounds: 10,
    });
    expect(settings.givenAs).toMatchObject({ learningRate: 'eta', rounds: 'rounds' });
  });

  test.each([
    [
      { max_dept: '4' },
      /unknown hyperparameter "max_dept"; accepted: objective, rounds, num_round/,
    ],
    [{ max_depth: 'deep' }, 'hyperparameter max_depth must be a number, got "deep"'],
    [{ eta: '' }, 'hyperparameter eta must be a number, got ""'],
    [{ eta: 'true' }, 'hyperparameter eta must be a number, got "true"'],
    [{ objective: 'reg:squarederror' }, /objective "reg:squarederror" is not supported/],
    [{ eta: '0.1', learning_rate: '0.2' }, /eta and learning_rate both set learningRate/],
  ])('rejects %j naming the hyperparameter', (given, message) => {
    expect(() => hyperparametersToParameters(given)).toThrow(message);
  });
});

describe('readHyperparameters', () => {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'gfr-hyperparameters-'));

  test('an absent file means no hyperparameters', () => {
    expect(readHyperparameters(path.join(directory, 'absent.json'))).toEqual({
      parameters: {},
      givenAs: {},
    });
  });

  test('a file that is not a JSON object is rejected with its path', () => {
    const file = path.join(directory, 'list.json');
    fs.writeFileSync(file, '["rounds", "10"]');
    expect(() => readHyperparameters(file)).toThrow(`${file} must hold a JSON object`);
    fs.writeFileSync(file, '{"rounds": ');
    expect(() => readHyperparameters(file)).toThrow(`${file} is not valid JSON`);
  });
});
