/**
 * What each handler may call. Mutating SageMaker actions are scoped to ARNs of our name prefix;
 * `iam:PassRole` names the endpoint's execution role only and only towards SageMaker. No
 * handler holds the permission that would emit the event it is triggered by: the deploy
 * handler cannot start or stop training jobs, the retrain handler cannot put drift events. The
 * one exception is the deploy handler's `sagemaker:UpdateModelPackage`, whose approvals reach
 * it again through the model package rule: it marks them (`GateVerdictPrefix.APPROVED`) and
 * ignores marked approvals without a write, so they cannot loop.
 */
import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';

import { BucketPrefix } from '../../lambdas/src/contract';
import { ArtifactStore } from '../artifact-store';
import { HandlerFunction } from '../handler-function';
import { GfrNames } from '../names';
import { RankerEndpoint } from '../ranker-endpoint';

/** What the retrain handler reaches. */
export interface RetrainGrants {
  readonly store: ArtifactStore;
  readonly stateMachine: sfn.StateMachine;
  /** The state machine's literal name, for the ARNs of its executions. */
  readonly stateMachineName: string;
}

/** What the deploy and drift-check handlers reach. */
export interface EndpointGrants {
  readonly names: GfrNames;
  readonly store: ArtifactStore;
  readonly endpoint: RankerEndpoint;
}

/**
 * Retrain: list and read the canonical data (to find the windows), start executions and list
 * them (to see one in progress).
 */
export function grantRetrain(handler: HandlerFunction, grants: RetrainGrants): void {
  grants.store.grantReadPrefix(handler.role, BucketPrefix.DATA);
  grants.stateMachine.grantStartExecution(handler.role);
  handler.role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['states:ListExecutions'],
      resources: [grants.stateMachine.stateMachineArn],
    }),
  );
  // Whether the window's execution (named after the job) already ran.
  handler.role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['states:DescribeExecution'],
      resources: [
        Stack.of(handler).formatArn({
          service: 'states',
          resource: 'execution',
          resourceName: `${grants.stateMachineName}:*`,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      ],
    }),
  );
}

/**
 * Deploy: read artifacts and reports, write reports; describe the endpoint and its configs;
 * create models and configs under our prefix and update our endpoint; pass the endpoint's
 * role; read model versions of our group (an approval event's version, its marker and
 * artifact) and approve or reject them (the gate's verdict).
 * No Application Auto Scaling: updates keep the variant names, so the stack's scaling targets
 * stay valid; a handler that removed a variant would first have to deregister its target.
 */
export function grantDeploy(handler: HandlerFunction, grants: EndpointGrants): void {
  const { names, store, endpoint } = grants;
  const stack = Stack.of(handler);
  const arn = (resource: string, resourceName: string) =>
    stack.formatArn({ service: 'sagemaker', resource, resourceName });
  const role = handler.role;

  store.grantReadPrefix(role, BucketPrefix.MODELS);
  store.grantReadPrefix(role, BucketPrefix.REPORTS);
  store.grantWritePrefix(role, BucketPrefix.REPORTS);

  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      // CloudFormation names the stack's own models and config, so reads cover every name.
      actions: ['sagemaker:DescribeEndpointConfig', 'sagemaker:DescribeModel'],
      resources: [arn('endpoint-config', '*'), arn('model', '*')],
    }),
  );
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: [
        'sagemaker:CreateModel',
        'sagemaker:DeleteModel',
        'sagemaker:CreateEndpointConfig',
        'sagemaker:DeleteEndpointConfig',
        'sagemaker:AddTags',
      ],
      resources: [arn('model', `${names.prefix}*`), arn('endpoint-config', `${names.prefix}*`)],
    }),
  );
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: [
        'sagemaker:DescribeEndpoint',
        'sagemaker:UpdateEndpoint',
        'sagemaker:UpdateEndpointWeightsAndCapacities',
      ],
      resources: [arn('endpoint', endpoint.endpointName)],
    }),
  );
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['sagemaker:DescribeTrainingJob'],
      resources: [arn('training-job', `${names.prefix}*`)],
    }),
  );
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['sagemaker:DescribeModelPackage', 'sagemaker:ListModelPackages'],
      resources: [
        arn('model-package', `${names.modelPackageGroupName}/*`),
        arn('model-package-group', names.modelPackageGroupName),
      ],
    }),
  );
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['sagemaker:UpdateModelPackage'],
      resources: [arn('model-package', `${names.modelPackageGroupName}/*`)],
      // The gate approves or rejects; it never sets a version back to pending.
      conditions: { StringEquals: { 'sagemaker:ModelApprovalStatus': ['Approved', 'Rejected'] } },
    }),
  );
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['iam:PassRole'],
      resources: [endpoint.executionRole.roleArn],
      conditions: { StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } },
    }),
  );
  // The configs it creates encrypt their volumes and captures with the stage's key.
  store.key.grant(role, 'kms:CreateGrant', 'kms:DescribeKey');
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['cloudwatch:DescribeAlarms'],
      resources: endpoint.rollbackAlarmNames.map((name) =>
        stack.formatArn({
          service: 'cloudwatch',
          resource: 'alarm',
          resourceName: name,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      ),
    }),
  );
}

/**
 * Drift check: read captures and model artifacts (the training distribution), find the
 * endpoint's current models, write reports, put drift events on the default bus.
 */
export function grantDriftCheck(handler: HandlerFunction, grants: EndpointGrants): void {
  const { store, endpoint } = grants;
  const stack = Stack.of(handler);
  const arn = (resource: string, resourceName: string) =>
    stack.formatArn({ service: 'sagemaker', resource, resourceName });
  const role = handler.role;

  store.grantReadPrefix(role, BucketPrefix.CAPTURES);
  store.grantReadPrefix(role, BucketPrefix.MODELS);
  store.grantWritePrefix(role, BucketPrefix.REPORTS);
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['sagemaker:DescribeEndpoint'],
      resources: [arn('endpoint', endpoint.endpointName)],
    }),
  );
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['sagemaker:DescribeEndpointConfig', 'sagemaker:DescribeModel'],
      resources: [arn('endpoint-config', '*'), arn('model', '*')],
    }),
  );
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['events:PutEvents'],
      resources: [
        stack.formatArn({ service: 'events', resource: 'event-bus', resourceName: 'default' }),
      ],
    }),
  );
}
