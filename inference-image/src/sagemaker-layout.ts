import * as path from 'node:path';

/** SageMaker's container root. */
export const defaultOptMlRoot = '/opt/ml';

/**
 * The paths of SageMaker's container contract under one root (reference §8–9). The root is
 * `/opt/ml` in SageMaker and anything else in tests (`GFR_OPT_ML`).
 */
export interface SageMakerLayout {
  root: string;
  /** Serving: the unpacked model.tar.gz. Training: where the model goes (tarred by SageMaker). */
  model: string;
  /** `hyperparameters.json`: a flat object of strings. */
  hyperparameters: string;
  /** `resourceconfig.json`: current host and all hosts of the job. */
  resourceConfig: string;
  /** Folder of one input channel's files (File mode). */
  channel(name: string): string;
  /** Extra outputs, tarred into `output.tar.gz`. */
  outputData: string;
  /** Written on failure; its first 1,024 characters become the job's `FailureReason`. */
  failure: string;
}

/** The layout under `root`. */
export function sageMakerLayout(root: string = defaultOptMlRoot): SageMakerLayout {
  return {
    root,
    model: path.join(root, 'model'),
    hyperparameters: path.join(root, 'input', 'config', 'hyperparameters.json'),
    resourceConfig: path.join(root, 'input', 'config', 'resourceconfig.json'),
    channel: (name) => path.join(root, 'input', 'data', name),
    outputData: path.join(root, 'output', 'data'),
    failure: path.join(root, 'output', 'failure'),
  };
}

/** The root from the environment: `GFR_OPT_ML` when set, else `/opt/ml`. */
export function optMlRootFromEnvironment(env: NodeJS.ProcessEnv): string {
  return env.GFR_OPT_ML || defaultOptMlRoot;
}
