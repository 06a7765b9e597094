/**
 * The deploy handler: gates a registered candidate against the champion and rolls it out as the
 * challenger; rolls out as challenger a model package version a person approved (the gate's own
 * approvals are marked and ignored); checks how an update ended (a rollback is reported as a
 * failure, never as success); promotes, rolls back and shifts weights on request; and records
 * the outcome of retraining training jobs from SageMaker's state-change events.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { Logger, defaultGateSettings, defaultLogger } from '@gfr/core/dist/automation/lambda';

import { RolloutSettings, promoteChallenger, rollOutCandidate } from './candidate-rollout';
import { HandlerSettings } from './config';
import { CandidateReadyInput, EndpointOperationInput, GfrMetric, SageMakerEvent } from './contract';
import { checkEndpointUpdate, setVariantWeights } from './endpoint-state';
import { EndpointUpdateRolledBackError, HandlerEventInvalidError } from './errors';
import { MetricUnit, MetricsSink, handlerMetrics } from './metrics-sink';
import { ModelPackageStateChangeEvent, rollOutApprovedPackage } from './package-approval';

/** SageMaker's training job state-change event, as EventBridge delivers it. */
export interface TrainingJobStateChangeEvent {
  source: typeof SageMakerEvent.SOURCE;
  'detail-type': typeof SageMakerEvent.TRAINING_JOB_STATE_CHANGE;
  detail: {
    TrainingJobName: string;
    TrainingJobStatus: string;
    FailureReason?: string;
    /** Epoch milliseconds or ISO time. */
    TrainingStartTime?: number | string;
    TrainingEndTime?: number | string;
  };
}

/** Everything the deploy handler accepts. */
export type DeployEvent =
  | CandidateReadyInput
  | EndpointOperationInput
  | TrainingJobStateChangeEvent
  | ModelPackageStateChangeEvent;

/** What one invocation did. */
export interface DeployOutcome {
  action:
    | 'rejected'
    | 'updating'
    | 'succeeded'
    | 'promoting'
    | 'rolled-back'
    | 'weights-set'
    | 'recorded'
    | 'ignored';
  reasons: string[];
  endpointConfigName?: string;
}

/** What the handler needs besides the event; tests pass their own. */
export interface DeployHandlerDependencies {
  env?: NodeJS.ProcessEnv;
  metrics?: MetricsSink;
  /** @default gfr's JSON logger */
  logger?: Logger;
}

/** Builds the handler; {@link handler} is the one the stack deploys. */
export function createDeployHandler(dependencies: DeployHandlerDependencies = {}) {
  const sageMaker = new SageMakerClient({});
  const s3 = new S3Client({});
  const metrics = dependencies.metrics ?? handlerMetrics('gfr-deploy');
  const logger = (dependencies.logger ?? defaultLogger).child({ component: 'deploy-handler' });
  const count = (name: string) => {
    metrics.addMetric(name, MetricUnit.Count, 1);
    metrics.publishStoredMetrics();
  };

  return async (event: DeployEvent): Promise<DeployOutcome> => {
    const env = new HandlerSettings(dependencies.env ?? process.env);
    if ('source' in event && event['detail-type'] === SageMakerEvent.MODEL_PACKAGE_STATE_CHANGE) {
      const outcome = await rollOutApprovedPackage(
        sageMaker,
        rolloutSettings(env),
        event,
        env.text('MODEL_PACKAGE_GROUP_NAME'),
        logger,
      );
      if (outcome.action === 'updating') count(GfrMetric.DEPLOY_MANUALLY_APPROVED);
      else logger.info('model package state change ignored', { reasons: outcome.reasons });
      return outcome;
    }
    if ('source' in event && event.source === SageMakerEvent.SOURCE) {
      return recordTrainingOutcome(event, env.text('MODEL_PACKAGE_GROUP_NAME'), metrics, logger);
    }
    const settings = rolloutSettings(env);
    const kind = 'kind' in event ? event.kind : undefined;

    switch (kind) {
      case 'candidate-ready': {
        const outcome = await rollOutCandidate(
          { sageMaker, s3 },
          settings,
          event as CandidateReadyInput,
        );
        count(
          outcome.action === 'rejected' ? GfrMetric.DEPLOY_REJECTED : GfrMetric.DEPLOY_ACCEPTED,
        );
        logger.info(`candidate ${outcome.action}`, {
          job_name: (event as CandidateReadyInput).jobName,
          reasons: outcome.decision.reasons,
          endpoint_config: outcome.endpointConfigName,
        });
        return {
          action: outcome.action,
          reasons: outcome.decision.reasons,
          endpointConfigName: outcome.endpointConfigName ?? undefined,
        };
      }
      case 'check-update': {
        const expected = (event as { endpointConfigName: string }).endpointConfigName;
        const result = await checkEndpointUpdate(sageMaker, settings.endpointName, expected);
        if (result.outcome === 'rolled-back') {
          count(GfrMetric.DEPLOY_ROLLED_BACK);
          logger.error('endpoint update rolled back', { expected, ...result });
          // Thrown, so that the state machine's execution fails visibly instead of succeeding.
          throw new EndpointUpdateRolledBackError(
            settings.endpointName,
            expected,
            result.configName,
            result.failureReason,
          );
        }
        count(GfrMetric.DEPLOY_SUCCEEDED);
        return { action: 'succeeded', reasons: [], endpointConfigName: result.configName };
      }
      case 'promote': {
        const promoted = await promoteChallenger(sageMaker, settings);
        logger.info('challenger promoted', promoted);
        return {
          action: 'promoting',
          reasons: [`${promoted.modelName} replaces the champion`],
          endpointConfigName: promoted.endpointConfigName,
        };
      }
      case 'rollback': {
        await setVariantWeights(sageMaker, settings.endpointName, {
          [settings.championVariant]: 1,
          [settings.challengerVariant]: 0,
        });
        count(GfrMetric.DEPLOY_ROLLED_BACK);
        return { action: 'rolled-back', reasons: ['the challenger gets no traffic'] };
      }
      case 'set-weights': {
        const weights = (event as { weights?: Record<string, number> }).weights;
        if (!weights || typeof weights !== 'object') {
          throw new HandlerEventInvalidError('set-weights: weights must be an object of numbers');
        }
        await setVariantWeights(sageMaker, settings.endpointName, weights);
        return { action: 'weights-set', reasons: [JSON.stringify(weights)] };
      }
      default:
        throw new HandlerEventInvalidError(
          `deploy: unknown event ${JSON.stringify(event).slice(0, 200)}; expected kind ` +
            'candidate-ready, check-update, promote, rollback, set-weights, a training job or ' +
            'a model package event',
        );
    }
  };
}

/** The deployed handler. */
export const handler = createDeployHandler();

/**
 * Records a retraining training job's end as metrics: completed (with its duration) or failed
 * (with its reason in the log). Jobs outside the model package group are ignored.
 */
export function recordTrainingOutcome(
  event: TrainingJobStateChangeEvent,
  modelPackageGroup: string,
  metrics: MetricsSink,
  logger: Logger = defaultLogger,
): DeployOutcome {
  const { TrainingJobName: name, TrainingJobStatus: status } = event.detail ?? {};
  const ours =
    typeof name === 'string' && name.startsWith(modelPackageGroup.replace(/[^A-Za-z0-9]+/g, '-'));
  if (!ours || !['Completed', 'Failed', 'Stopped'].includes(status)) {
    return {
      action: 'ignored',
      reasons: [`training job ${name} ${status}: not a finished retrain`],
    };
  }
  if (status === 'Completed') {
    metrics.addMetric(GfrMetric.RETRAIN_COMPLETED, MetricUnit.Count, 1);
    const start = toMilliseconds(event.detail.TrainingStartTime);
    const end = toMilliseconds(event.detail.TrainingEndTime);
    if (start !== null && end !== null && end >= start) {
      metrics.addMetric(
        GfrMetric.RETRAIN_TRAINING_SECONDS,
        MetricUnit.Seconds,
        (end - start) / 1000,
      );
    }
  } else {
    metrics.addMetric(GfrMetric.RETRAIN_FAILED, MetricUnit.Count, 1);
    logger.error('retraining job did not complete', {
      job_name: name,
      status,
      failure_reason: event.detail.FailureReason ?? null,
    });
  }
  metrics.publishStoredMetrics();
  return {
    action: 'recorded',
    reasons: [
      `training job ${name} ${status}${event.detail.FailureReason ? `: ${event.detail.FailureReason}` : ''}`,
    ],
  };
}

function toMilliseconds(value: number | string | undefined): number | null {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && !Number.isNaN(Date.parse(value))) return Date.parse(value);
  return null;
}

/** The rollout settings from the stack's environment. */
export function rolloutSettings(env: HandlerSettings): RolloutSettings {
  const capture = env.optionalText('CAPTURE_S3_URI', '');
  return {
    endpointName: env.text('ENDPOINT_NAME'),
    championVariant: env.optionalText('CHAMPION_VARIANT_NAME', 'champion'),
    challengerVariant: env.optionalText('CHALLENGER_VARIANT_NAME', 'challenger'),
    challengerPercent: env.number('CHALLENGER_TRAFFIC_PERCENT', 10, 0, 100),
    instanceType: env.optionalText('ENDPOINT_INSTANCE_TYPE', 'ml.c7i.xlarge'),
    instanceCount: env.number('ENDPOINT_INSTANCE_COUNT', 1, 1, 100),
    roleArn: env.text('SAGEMAKER_ROLE_ARN'),
    imageUri: env.text('INFERENCE_IMAGE_URI'),
    rollbackAlarmNames: env.list('ROLLBACK_ALARM_NAMES'),
    captureS3Uri: capture === '' ? null : capture,
    capturePercent: env.number('CAPTURE_PERCENT', 10, 0, 100),
    gate: {
      aucTolerance: env.number('GATE_AUC_TOLERANCE', defaultGateSettings.aucTolerance, 0, 1),
      logLossTolerance: env.number(
        'GATE_LOG_LOSS_TOLERANCE',
        defaultGateSettings.logLossTolerance,
        0,
        10,
      ),
      maxCalibrationError: env.number(
        'GATE_MAX_CALIBRATION_ERROR',
        defaultGateSettings.maxCalibrationError,
        0,
        1,
      ),
      calibrationRatioRange: defaultGateSettings.calibrationRatioRange,
      minimumCalibrationRows: defaultGateSettings.minimumCalibrationRows,
    },
  };
}
