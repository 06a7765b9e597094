import { CfnOutput, Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';

import { ArtifactStore } from './artifact-store';
import { GfrConfig } from './config';
import { InferenceImage } from './inference-image';
import { GfrNames } from './names';
import { RankerEndpoint } from './ranker-endpoint';

/** Properties of {@link EndpointStack}. */
export interface EndpointStackProps extends StackProps {
  readonly config: GfrConfig;
  readonly names: GfrNames;
  readonly store: ArtifactStore;
  /**
   * The image's build context.
   * @default - the repository root
   */
  readonly imageDirectory?: string;
}

/**
 * The inference image and the ranker endpoint. Its first deploy needs the initial
 * `model.tar.gz` in the bucket (see docs/deploy.md): SageMaker checks the artifact when it
 * creates a model.
 */
export class EndpointStack extends Stack {
  readonly image: InferenceImage;
  readonly ranker: RankerEndpoint;

  constructor(scope: Construct, id: string, props: EndpointStackProps) {
    super(scope, id, props);
    const { config, names, store } = props;

    this.image = new InferenceImage(this, 'Image', { directory: props.imageDirectory });
    this.ranker = new RankerEndpoint(this, 'Ranker', {
      names,
      config: config.endpoint,
      production: config.production,
      store,
      image: this.image,
    });

    new CfnOutput(this, 'EndpointName', { value: this.ranker.endpointName });
    new CfnOutput(this, 'CaptureS3Uri', { value: this.ranker.captureS3Uri });
  }
}
