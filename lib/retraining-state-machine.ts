import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';

import { BucketPrefix, CandidateReadyInput, GfrMetric } from '../lambdas/src/contract';
import { ArtifactStore } from './artifact-store';
import { GfrConfig } from './config';
import { InferenceImage } from './inference-image';
import { GfrNames, HandlerServiceName } from './names';
import { INVOCATION_CONTENT_TYPE } from './ranker-endpoint';
import { SageMakerRole } from './sagemaker-role';
import {
  evaluateJob,
  JobSettings,
  registerCandidate,
  trainingJob,
  trainingSetsJob,
} from './private/retraining-steps';

/** Properties of {@link RetrainingStateMachine}. */
export interface RetrainingStateMachineProps {
  readonly names: GfrNames;
  readonly training: GfrConfig['training'];
  readonly endpointInstanceType: string;
  readonly store: ArtifactStore;
  readonly image: InferenceImage;
  /** The built-in XGBoost image of the stack's region. */
  readonly xgboostImageUri: string;
  /** Receives `CandidateReadyInput` once a candidate is registered. */
  readonly deployFunction: lambda.IFunction;
  readonly logRetention: logs.RetentionDays;
  /** How many times to check a rollout, a minute apart, before giving up. */
  readonly rolloutCheckAttempts: number;
}

/** Error names the deploy handler throws (class names, kept by the bundler). */
export const DeployHandlerError = {
  ENDPOINT_NOT_READY: 'EndpointNotReadyError',
  ROLLED_BACK: 'EndpointUpdateRolledBackError',
} as const;

const CHECK_INTERVAL = Duration.minutes(1);

/** The deploy handler runs one at a time (reserved concurrency 1): a busy handler is retried. */
const THROTTLED_RETRY: sfn.RetryProps = {
  errors: ['Lambda.TooManyRequestsException'],
  interval: Duration.seconds(20),
  backoffRate: 2,
  maxAttempts: 6,
};

/**
 * The retraining chain as a Step Functions state machine, started with a
 * `RetrainExecutionInput` under the execution name `jobName` (a duplicate start fails with
 * ExecutionAlreadyExists). Training sets (Processing, the image's `process`) → training (the
 * image's `train` on one instance, or built-in XGBoost on several with sharded input) →
 * evaluation (Processing, `evaluate`: model.tar.gz and report.json) → a model package pending
 * manual approval → the deploy handler (gate; a passing candidate rolls out as the challenger)
 * → rollout checks until the blue/green update served the new config or rolled back. `.sync`
 * integrations wait for each job; any failure publishes `RetrainFailed` and fails the execution.
 */
export class RetrainingStateMachine extends Construct {
  readonly stateMachine: sfn.StateMachine;

  /** Any failed or rolled-back retraining execution. */
  readonly failedAlarm: cloudwatch.Alarm;

  /** The state machine's name, a literal: `<prefix>-retraining`. */
  readonly stateMachineName: string;

  /** The role the processing and training jobs run as (never the endpoint's role). */
  readonly jobRole: SageMakerRole;

  constructor(scope: Construct, id: string, props: RetrainingStateMachineProps) {
    super(scope, id);
    const { names, training, store, image } = props;
    const stack = Stack.of(this);
    this.stateMachineName = `${names.prefix}-retraining`;

    this.jobRole = new SageMakerRole(this, 'JobRole', {
      description: 'gfr retraining jobs: read data/, write features/ and models/',
      store,
      image,
      readPrefixes: [BucketPrefix.DATA, BucketPrefix.FEATURES, BucketPrefix.MODELS],
      writePrefixes: [BucketPrefix.FEATURES, BucketPrefix.MODELS],
    });

    const settings: JobSettings = {
      roleArn: this.jobRole.roleArn,
      imageUri: image.imageUri,
      xgboostImageUri: props.xgboostImageUri,
      keyArn: store.key.keyArn,
      training,
      modelPackageGroupName: names.modelPackageGroupName,
      endpointInstanceType: props.endpointInstanceType,
      contentType: INVOCATION_CONTENT_TYPE,
    };

    const recordFailure = new sfn.CustomState(this, 'RecordFailure', {
      stateJson: {
        Type: 'Task',
        Resource: 'arn:aws:states:::aws-sdk:cloudwatch:putMetricData',
        Parameters: {
          Namespace: GfrMetric.NAMESPACE,
          MetricData: [
            {
              MetricName: GfrMetric.RETRAIN_FAILED,
              Value: 1,
              Unit: 'Count',
              Dimensions: [{ Name: 'service', Value: HandlerServiceName.RETRAIN }],
            },
          ],
        },
        ResultPath: null,
      },
    });
    const failed = new sfn.Fail(this, 'Failed', {
      errorPath: '$.error.Error',
      causePath: '$.error.Cause',
    });
    recordFailure.next(failed);

    // A failed training job is counted by the deploy handler from SageMaker's state-change
    // event; its catch skips RecordFailure so that no failure is counted twice.
    const step = (stepId: string, stateJson: Record<string, unknown>, onFailure: sfn.IChainable) =>
      new sfn.CustomState(this, stepId, { stateJson })
        .addRetry({
          errors: ['SageMaker.AmazonSageMakerException', 'ThrottlingException'],
          interval: Duration.seconds(30),
          backoffRate: 2,
          maxAttempts: 3,
        })
        .addCatch(onFailure, { resultPath: '$.error' });

    const buildTrainingSets = step('BuildTrainingSets', trainingSetsJob(settings), recordFailure);
    const trainGfr = step('TrainGfr', trainingJob(settings, 'gfr'), failed);
    const trainXgboost = step('TrainXgboost', trainingJob(settings, 'xgboost'), failed);
    const evaluate = step('Evaluate', evaluateJob(settings), recordFailure);
    const register = step('RegisterCandidate', registerCandidate(settings), recordFailure);

    // Keyed by the contract's fields: a new field of CandidateReadyInput fails compilation here.
    const candidate: CandidatePayload = {
      kind: 'candidate-ready',
      'jobName.$': '$.jobName',
      'modelPackageArn.$': '$.registration.modelPackageArn',
      'artifactUri.$': '$.artifactUri',
    };
    const notifyDeploy = new tasks.LambdaInvoke(this, 'NotifyDeploy', {
      lambdaFunction: props.deployFunction,
      payload: sfn.TaskInput.fromObject(candidate),
      resultPath: '$.deploy',
      payloadResponseOnly: true,
      retryOnServiceExceptions: true,
    })
      .addRetry(THROTTLED_RETRY)
      .addRetry({
        // The endpoint accepts no update while it is updating or scaling: wait for it.
        errors: [DeployHandlerError.ENDPOINT_NOT_READY],
        interval: CHECK_INTERVAL,
        backoffRate: 1.5,
        maxAttempts: 10,
      })
      .addCatch(recordFailure, { resultPath: '$.error' });

    // The rollout is a blue/green update: poll until it served the new config or rolled back.
    const checkRollout = new tasks.LambdaInvoke(this, 'CheckRollout', {
      lambdaFunction: props.deployFunction,
      payload: sfn.TaskInput.fromObject({
        kind: 'check-update',
        'endpointConfigName.$': '$.deploy.endpointConfigName',
      }),
      resultPath: '$.rollout',
      payloadResponseOnly: true,
      retryOnServiceExceptions: true,
    })
      .addRetry(THROTTLED_RETRY)
      .addRetry({
        errors: [DeployHandlerError.ENDPOINT_NOT_READY],
        interval: CHECK_INTERVAL,
        backoffRate: 1,
        maxAttempts: props.rolloutCheckAttempts,
      })
      .addCatch(
        new sfn.Fail(this, 'RolloutRolledBack', {
          error: DeployHandlerError.ROLLED_BACK,
          causePath: '$.error.Cause',
        }),
        { errors: [DeployHandlerError.ROLLED_BACK], resultPath: '$.error' },
      )
      .addCatch(recordFailure, { resultPath: '$.error' });
    const rolloutStarted = new sfn.Choice(this, 'RolloutStarted')
      .when(sfn.Condition.stringEquals('$.deploy.action', 'updating'), checkRollout)
      .otherwise(new sfn.Succeed(this, 'CandidateRejected'));
    checkRollout.next(new sfn.Succeed(this, 'RolledOut'));

    const unknownTrainer = new sfn.Fail(this, 'UnknownTrainer', {
      error: 'UnknownTrainer',
      cause: 'trainer must be gfr or xgboost',
    });
    const chooseTrainer = new sfn.Choice(this, 'ChooseTrainer')
      .when(sfn.Condition.stringEquals('$.trainer', 'gfr'), trainGfr)
      .when(sfn.Condition.stringEquals('$.trainer', 'xgboost'), trainXgboost)
      .otherwise(unknownTrainer);
    trainGfr.next(evaluate);
    trainXgboost.next(evaluate);
    evaluate.next(register).next(notifyDeploy).next(rolloutStarted);

    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName: this.stateMachineName,
      definitionBody: sfn.DefinitionBody.fromChainable(buildTrainingSets.next(chooseTrainer)),
      timeout: Duration.seconds(3 * training.maxRuntimeSeconds + 3600),
      tracingEnabled: true,
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
    });

    this.failedAlarm = this.stateMachine
      .metricFailed({ period: Duration.minutes(5), statistic: 'Sum' })
      .createAlarm(this, 'FailedAlarm', {
        alarmDescription: 'A gfr retraining execution failed or its rollout rolled back',
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });

    this.grantJobs(stack, names);
    // Jobs encrypt their volumes and outputs with the stage's key.
    store.key.grant(this.stateMachine, 'kms:CreateGrant', 'kms:DescribeKey');
    store.key.grant(this.jobRole, 'kms:CreateGrant', 'kms:DescribeKey');
  }

  private grantJobs(stack: Stack, names: GfrNames): void {
    const arn = (resource: string, resourceName: string) =>
      stack.formatArn({ service: 'sagemaker', resource, resourceName });
    const role = this.stateMachine;

    role.addToRolePolicy(
      new iam.PolicyStatement({
        actions: [
          'sagemaker:CreateProcessingJob',
          'sagemaker:DescribeProcessingJob',
          'sagemaker:StopProcessingJob',
        ],
        resources: [arn('processing-job', `${names.prefix}*`)],
      }),
    );
    role.addToRolePolicy(
      new iam.PolicyStatement({
        actions: [
          'sagemaker:CreateTrainingJob',
          'sagemaker:DescribeTrainingJob',
          'sagemaker:StopTrainingJob',
        ],
        resources: [arn('training-job', `${names.prefix}*`)],
      }),
    );
    // The chain registers candidates; only a person (or a role with that right) approves them.
    role.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['sagemaker:CreateModelPackage'],
        resources: [
          arn('model-package', `${names.modelPackageGroupName}/*`),
          arn('model-package-group', names.modelPackageGroupName),
        ],
        conditions: {
          StringEquals: { 'sagemaker:ModelApprovalStatus': 'PendingManualApproval' },
        },
      }),
    );
    // `.sync` integrations watch jobs through rules Step Functions manages in our account.
    role.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'],
        resources: ['TrainingJobs', 'ProcessingJobs'].map((kind) =>
          stack.formatArn({
            service: 'events',
            resource: 'rule',
            resourceName: `StepFunctionsGetEventsForSageMaker${kind}Rule`,
          }),
        ),
      }),
    );
    role.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['iam:PassRole'],
        resources: [this.jobRole.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } },
      }),
    );
    role.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['cloudwatch:PutMetricData'],
        resources: ['*'],
        conditions: { StringEquals: { 'cloudwatch:namespace': GfrMetric.NAMESPACE } },
      }),
    );
  }
}

/** The deploy handler's payload as Step Functions parameters: constants and `.$` paths. */
type CandidatePayload = {
  [K in keyof CandidateReadyInput as K extends 'kind' ? K : `${K}.$`]: K extends 'kind'
    ? CandidateReadyInput[K]
    : string;
};
