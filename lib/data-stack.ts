import { Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';

import { ArtifactStore } from './artifact-store';
import { GfrConfig } from './config';
import { OnlineFeatureStore } from './feature-store';
import { ModelRegistry } from './model-registry';
import { GfrNames } from './names';

/** Properties of {@link DataStack}. */
export interface DataStackProps extends StackProps {
  readonly config: GfrConfig;
  readonly names: GfrNames;
}

/**
 * What outlives endpoints and handlers: the artifact bucket and its key, the model registry
 * and the online feature store. Deployed first; the other stacks reference it.
 */
export class DataStack extends Stack {
  readonly store: ArtifactStore;
  readonly registry: ModelRegistry;
  readonly featureStore: OnlineFeatureStore;

  constructor(scope: Construct, id: string, props: DataStackProps) {
    super(scope, id, props);
    const { config, names } = props;

    this.store = new ArtifactStore(this, 'Artifacts', {
      retainData: config.production,
      captureDays: config.retention.captureDays,
      trainingSetDays: config.retention.trainingSetDays,
      noncurrentVersionDays: config.retention.noncurrentVersionDays,
    });
    this.registry = new ModelRegistry(this, 'Registry', {
      modelPackageGroupName: names.modelPackageGroupName,
      retain: config.production,
    });
    this.featureStore = new OnlineFeatureStore(this, 'FeatureStore', { names, store: this.store });
  }
}
