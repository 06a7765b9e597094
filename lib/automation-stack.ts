import { Duration, Stack, StackProps } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import { Construct } from 'constructs';

import {
  DriftEvent,
  HandlerEntry,
  HandlerEnvironment,
  SageMakerEvent,
} from '../lambdas/src/contract';
import { ArtifactStore } from './artifact-store';
import { GfrConfig } from './config';
import { HandlerFunction } from './handler-function';
import { InferenceImage } from './inference-image';
import { GfrNames, HandlerServiceName, VariantName } from './names';
import { logRetentionOf } from './private/log-retention';
import { grantDeploy, grantDriftCheck, grantRetrain } from './private/handler-permissions';
import { RankerEndpoint } from './ranker-endpoint';
import { RetrainingStateMachine } from './retraining-state-machine';
import { xgboostImageUri } from './xgboost-image';

/** Properties of {@link AutomationStack}. */
export interface AutomationStackProps extends StackProps {
  readonly config: GfrConfig;
  readonly names: GfrNames;
  readonly store: ArtifactStore;
  readonly image: InferenceImage;
  readonly endpoint: RankerEndpoint;
}

/**
 * The automation: the retrain, deploy and drift-check handlers, the retraining state machine
 * and the EventBridge wiring. Drift checks run on a schedule; drift events and the retrain
 * schedule start retraining; training-job state changes (our jobs only) reach the deploy
 * handler, which records their outcome; approvals of our model package versions reach it too,
 * and it rolls out those a person approved. Handlers never hold the permission that would emit
 * the event they are triggered by, with one exception that cannot loop: the deploy handler
 * approves what its gate passes, marks those approvals and ignores their events.
 */
export class AutomationStack extends Stack {
  readonly retrain: HandlerFunction;
  readonly deploy: HandlerFunction;
  readonly driftCheck: HandlerFunction;
  readonly retraining: RetrainingStateMachine;

  constructor(scope: Construct, id: string, props: AutomationStackProps) {
    super(scope, id, props);
    const { config, names, store, image, endpoint } = props;
    const xgboostUri = xgboostImageUri(this);
    const logDays = config.retention.logDays;
    const environment = handlerEnvironment(props, xgboostUri);
    const reserved = config.reserveHandlerConcurrency ? 1 : undefined;

    this.deploy = new HandlerFunction(this, 'Deploy', {
      entry: HandlerEntry.DEPLOY,
      serviceName: HandlerServiceName.DEPLOY,
      description:
        'gfr: gate candidates, roll out candidates and approved versions as challenger, ' +
        'promote, roll back',
      environment,
      timeout: Duration.minutes(5),
      reservedConcurrentExecutions: reserved,
      logRetentionDays: logDays,
    });

    this.retraining = new RetrainingStateMachine(this, 'Retraining', {
      names,
      training: config.training,
      endpointInstanceType: config.endpoint.instanceType,
      store,
      image,
      xgboostImageUri: xgboostUri,
      deployFunction: this.deploy.function,
      logRetention: logRetentionOf(logDays),
      rolloutCheckAttempts: rolloutCheckAttempts(config),
    });

    this.retrain = new HandlerFunction(this, 'Retrain', {
      entry: HandlerEntry.RETRAIN,
      serviceName: HandlerServiceName.RETRAIN,
      description: 'gfr: start the retraining chain once per window',
      environment: {
        ...environment,
        [HandlerEnvironment.RETRAIN_STATE_MACHINE_ARN]:
          this.retraining.stateMachine.stateMachineArn,
      },
      timeout: Duration.minutes(1),
      reservedConcurrentExecutions: reserved,
      logRetentionDays: logDays,
    });

    this.driftCheck = new HandlerFunction(this, 'DriftCheck', {
      entry: HandlerEntry.DRIFT_CHECK,
      serviceName: HandlerServiceName.DRIFT_CHECK,
      description: 'gfr: compare captured requests with the training distribution',
      environment,
      timeout: Duration.minutes(10),
      memorySize: 1024,
      logRetentionDays: logDays,
    });

    grantRetrain(this.retrain, {
      store,
      stateMachine: this.retraining.stateMachine,
      stateMachineName: this.retraining.stateMachineName,
    });
    grantDeploy(this.deploy, { names, store, endpoint });
    grantDriftCheck(this.driftCheck, { names, store, endpoint });

    this.wireEvents(config, names);
  }

  private wireEvents(config: GfrConfig, names: GfrNames): void {
    const target = (handler: HandlerFunction) =>
      new targets.LambdaFunction(handler.function, {
        deadLetterQueue: handler.deadLetterQueue,
        retryAttempts: 2,
        maxEventAge: Duration.hours(2),
      });

    new events.Rule(this, 'DriftCheckSchedule', {
      description: 'gfr: check captured requests for drift',
      schedule: events.Schedule.expression(config.schedules.driftCheck),
      targets: [target(this.driftCheck)],
    });
    new events.Rule(this, 'RetrainSchedule', {
      description: 'gfr: routine retrain',
      schedule: events.Schedule.expression(config.schedules.retrain),
      targets: [target(this.retrain)],
    });
    new events.Rule(this, 'RetrainOnDrift', {
      description: 'gfr: retrain when the drift check found drift',
      eventPattern: { source: [DriftEvent.SOURCE], detailType: [DriftEvent.DETAIL_TYPE] },
      targets: [target(this.retrain)],
    });
    new events.Rule(this, 'DeployOnTrainingJobEnd', {
      description: 'gfr: record the outcome of our training jobs',
      eventPattern: {
        source: [SageMakerEvent.SOURCE],
        detailType: [SageMakerEvent.TRAINING_JOB_STATE_CHANGE],
        detail: {
          TrainingJobName: [{ prefix: names.modelPackageGroupName }],
          TrainingJobStatus: ['Completed', 'Failed', 'Stopped'],
        },
      },
      targets: [target(this.deploy)],
    });
    // The deploy handler approves the candidates its gate passes, so this rule also delivers
    // its own approvals: they carry GateVerdictPrefix.APPROVED and the handler ignores them
    // without a write. Registration cannot trigger it: the chain registers versions pending.
    new events.Rule(this, 'DeployOnModelPackageApproval', {
      description: 'gfr: roll out model package versions a person approved',
      eventPattern: {
        source: [SageMakerEvent.SOURCE],
        detailType: [SageMakerEvent.MODEL_PACKAGE_STATE_CHANGE],
        detail: {
          ModelPackageGroupName: [names.modelPackageGroupName],
          ModelApprovalStatus: ['Approved'],
        },
      },
      targets: [target(this.deploy)],
    });
  }
}

/** A minute apart, long enough for the longest blue/green update plus its baking time. */
function rolloutCheckAttempts(config: GfrConfig): number {
  const blueGreen = config.endpoint.blueGreen;
  const seconds =
    blueGreen === false
      ? 2 * 3600
      : blueGreen.maximumExecutionTimeoutSeconds + blueGreen.terminationWaitSeconds;
  return Math.ceil(seconds / 60) + 10;
}

function handlerEnvironment(
  props: AutomationStackProps,
  xgboostUri: string,
): Record<string, string> {
  const { config, names, store, image, endpoint } = props;
  const champion = config.endpoint.variants[VariantName.CHAMPION];
  const { training, drift, gate } = config;
  return {
    [HandlerEnvironment.ARTIFACT_BUCKET]: store.bucket.bucketName,
    [HandlerEnvironment.MODEL_PACKAGE_GROUP_NAME]: names.modelPackageGroupName,
    [HandlerEnvironment.ENDPOINT_NAME]: endpoint.endpointName,
    [HandlerEnvironment.SAGEMAKER_ROLE_ARN]: endpoint.executionRole.roleArn,
    [HandlerEnvironment.INFERENCE_IMAGE_URI]: image.imageUri,
    [HandlerEnvironment.XGBOOST_IMAGE_URI]: xgboostUri,
    [HandlerEnvironment.TRAINER]: training.trainer,
    [HandlerEnvironment.HYPERPARAMETERS]: JSON.stringify(training.hyperparameters),
    [HandlerEnvironment.TRAIN_DAYS]: String(training.trainDays),
    [HandlerEnvironment.VALIDATION_DAYS]: String(training.validationDays),
    [HandlerEnvironment.TEST_DAYS]: String(training.testDays),
    [HandlerEnvironment.GAP_HOURS]: String(training.gapHours),
    [HandlerEnvironment.TRAINING_INSTANCE_TYPE]: training.instanceType,
    [HandlerEnvironment.TRAINING_INSTANCE_COUNT]: String(
      training.trainer === 'xgboost' ? training.xgboostInstanceCount : 1,
    ),
    [HandlerEnvironment.CHAMPION_VARIANT_NAME]: VariantName.CHAMPION,
    [HandlerEnvironment.CHALLENGER_VARIANT_NAME]: VariantName.CHALLENGER,
    [HandlerEnvironment.CHALLENGER_TRAFFIC_PERCENT]: String(gate.challengerTrafficPercent),
    [HandlerEnvironment.ENDPOINT_INSTANCE_TYPE]: config.endpoint.instanceType,
    [HandlerEnvironment.ENDPOINT_INSTANCE_COUNT]: String(champion.initialInstanceCount),
    [HandlerEnvironment.ROLLBACK_ALARM_NAMES]: endpoint.rollbackAlarmNames.join(','),
    [HandlerEnvironment.GATE_AUC_TOLERANCE]: String(gate.aucTolerance),
    [HandlerEnvironment.GATE_LOG_LOSS_TOLERANCE]: String(gate.logLossTolerance),
    [HandlerEnvironment.GATE_MAX_CALIBRATION_ERROR]: String(gate.maxCalibrationError),
    [HandlerEnvironment.CAPTURE_S3_URI]: endpoint.captureS3Uri,
    [HandlerEnvironment.CAPTURE_PERCENT]: String(config.endpoint.capturePercent),
    [HandlerEnvironment.DRIFT_WINDOW_HOURS]: String(drift.windowHours),
    [HandlerEnvironment.DRIFT_PSI_THRESHOLD]: String(drift.psiThreshold),
    [HandlerEnvironment.DRIFT_JS_THRESHOLD]: String(drift.jensenShannonThreshold),
    [HandlerEnvironment.DRIFT_MIN_RECORDS]: String(drift.minRecords),
    [HandlerEnvironment.EVENT_BUS_NAME]: 'default',
  };
}
