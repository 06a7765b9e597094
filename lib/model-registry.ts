import { RemovalPolicy } from 'aws-cdk-lib';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import { Construct } from 'constructs';

/** Properties of {@link ModelRegistry}. */
export interface ModelRegistryProps {
  /** Name of the model package group; retraining job names start with it. */
  readonly modelPackageGroupName: string;
  /** Keep the group (and so its versions) when the stack is deleted. */
  readonly retain: boolean;
}

/**
 * The ranker's model package group. The retraining chain registers each candidate as a version
 * pending manual approval; the deploy handler's gate approves or rejects it, and a version a
 * person approves (console or API) is rolled out as the challenger too.
 */
export class ModelRegistry extends Construct {
  readonly group: sagemaker.CfnModelPackageGroup;

  /** The group's name, a literal known at synth time. */
  readonly modelPackageGroupName: string;

  constructor(scope: Construct, id: string, props: ModelRegistryProps) {
    super(scope, id);
    this.modelPackageGroupName = props.modelPackageGroupName;
    this.group = new sagemaker.CfnModelPackageGroup(this, 'Group', {
      modelPackageGroupName: props.modelPackageGroupName,
      modelPackageGroupDescription: 'gfr ranker: pCTR and pCVR heads, calibrated, one artifact',
    });
    this.group.applyRemovalPolicy(props.retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY);
  }
}
