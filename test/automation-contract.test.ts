import { processingLayout, trainingSetFolders } from '@gfr/inference-image';
import { ProcessingPath } from '@gfr/lambdas';

test('the image reads and writes the processing paths the stacks mount', () => {
  const layout = processingLayout('/opt/ml');

  expect(layout).toEqual({
    canonicalInput: ProcessingPath.CANONICAL_INPUT,
    trainingSetsOutput: ProcessingPath.TRAINING_SETS_OUTPUT,
    trainingSetsInput: ProcessingPath.TRAINING_SETS_INPUT,
    modelInput: ProcessingPath.MODEL_INPUT,
    artifactOutput: ProcessingPath.ARTIFACT_OUTPUT,
  });
  expect(trainingSetFolders).toEqual({ gfr: 'gfr', xgboost: 'xgboost' });
});
