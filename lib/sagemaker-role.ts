import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

import { ArtifactStore } from './artifact-store';
import { InferenceImage } from './inference-image';

/** Properties of {@link SageMakerRole}. */
export interface SageMakerRoleProps {
  readonly description: string;
  readonly store: ArtifactStore;
  /** The image the role's models or jobs run. */
  readonly image: InferenceImage;
  /** Bucket prefixes SageMaker reads as this role. */
  readonly readPrefixes: readonly string[];
  /** Bucket prefixes SageMaker writes as this role; nothing else of the bucket is writable. */
  readonly writePrefixes: readonly string[];
}

/**
 * A role SageMaker runs models, endpoints or jobs as: pull the inference image, read and write
 * the named prefixes of the artifact bucket with its key, write its own logs and metrics.
 * Nothing else: no `AmazonSageMakerFullAccess`.
 */
export class SageMakerRole extends Construct implements iam.IGrantable {
  readonly role: iam.Role;

  readonly grantPrincipal: iam.IPrincipal;

  constructor(scope: Construct, id: string, props: SageMakerRoleProps) {
    super(scope, id);
    const stack = Stack.of(this);

    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com'),
      description: props.description,
    });
    this.grantPrincipal = this.role;

    props.image.grantPull(this.role);
    for (const prefix of props.readPrefixes) props.store.grantReadPrefix(this.role, prefix);
    for (const prefix of props.writePrefixes) props.store.grantWritePrefix(this.role, prefix);

    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [
          stack.formatArn({
            service: 'logs',
            resource: 'log-group',
            resourceName: '/aws/sagemaker/*',
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        ],
      }),
    );
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['cloudwatch:PutMetricData'],
        resources: ['*'],
        conditions: { StringLike: { 'cloudwatch:namespace': ['/aws/sagemaker/*'] } },
      }),
    );
  }

  /** The role's ARN. */
  get roleArn(): string {
    return this.role.roleArn;
  }
}
