/**
 * The retrain handler: started by the schedule, by a drift event or by hand, it starts the
 * retraining state machine (process → train → evaluate → register → deploy) for the latest
 * window of data, once per window and never beside a running execution.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { Logger, defaultLogger } from '@gfr/core/dist/automation/lambda';

import { HandlerSettings } from './config';
import { DriftEvent, GfrMetric } from './contract';
import { HandlerConfigurationError, HandlerEventInvalidError } from './errors';
import { MetricUnit, MetricsSink, handlerMetrics } from './metrics-sink';
import { RetrainOutcome, RetrainSettings, RetrainTriggerKind, startRetrain } from './retrain';

/** A manual start; `dataEnd` (ISO time) retrains an older window. */
export interface ManualRetrainInput {
  kind: 'manual';
  dataEnd?: string;
}

/** What the handler is invoked with: an EventBridge event (schedule, drift) or a manual input. */
export type RetrainTrigger =
  ManualRetrainInput | { source: string; 'detail-type': string; [key: string]: unknown };

/** What the handler needs besides the event; tests pass their own. */
export interface RetrainHandlerDependencies {
  env?: NodeJS.ProcessEnv;
  metrics?: MetricsSink;
  /** @default gfr's JSON logger */
  logger?: Logger;
}

/** Builds the handler; {@link handler} is the one the stack deploys. */
export function createRetrainHandler(dependencies: RetrainHandlerDependencies = {}) {
  const s3 = new S3Client({});
  const sfn = new SFNClient({});
  const metrics = dependencies.metrics ?? handlerMetrics('gfr-retrain');
  const logger = (dependencies.logger ?? defaultLogger).child({ component: 'retrain-handler' });

  return async (event: RetrainTrigger): Promise<RetrainOutcome> => {
    const { kind, dataEnd } = readTrigger(event);
    const settings = retrainSettings(new HandlerSettings(dependencies.env ?? process.env));
    const outcome = await startRetrain({ s3, sfn }, settings, kind, dataEnd);

    metrics.addMetric(
      outcome.started ? GfrMetric.RETRAIN_STARTED : GfrMetric.RETRAIN_SKIPPED,
      MetricUnit.Count,
      1,
    );
    metrics.publishStoredMetrics();
    if (outcome.started) {
      logger.info('retraining started', {
        trigger: kind,
        job_name: outcome.input.jobName,
        window: outcome.input.window,
      });
    } else {
      logger.info('retraining skipped', {
        trigger: kind,
        job_name: outcome.jobName,
        reason: outcome.reason,
      });
    }
    return outcome;
  };
}

/** The deployed handler. */
export const handler = createRetrainHandler();

function readTrigger(event: RetrainTrigger): { kind: RetrainTriggerKind; dataEnd?: Date } {
  const fields = event as Record<string, unknown>;
  if (fields.kind === 'manual') {
    if (fields.dataEnd === undefined) return { kind: 'manual' };
    const dataEnd = new Date(String(fields.dataEnd));
    if (typeof fields.dataEnd !== 'string' || Number.isNaN(dataEnd.getTime())) {
      throw new HandlerEventInvalidError(
        `manual retrain: dataEnd "${event.dataEnd}" is not a time`,
      );
    }
    return { kind: 'manual', dataEnd };
  }
  if (fields.source === DriftEvent.SOURCE) return { kind: 'drift' };
  if (fields.source === 'aws.events') return { kind: 'schedule' };
  throw new HandlerEventInvalidError(
    `retrain: unknown event ${JSON.stringify(event).slice(0, 200)}; expected a schedule, ` +
      `a ${DriftEvent.SOURCE} event or {"kind": "manual"}`,
  );
}

/** The retrain settings from the stack's environment. */
export function retrainSettings(env: HandlerSettings): RetrainSettings {
  const trainer = env.optionalText('TRAINER', 'gfr');
  if (trainer !== 'gfr' && trainer !== 'xgboost') {
    throw new HandlerConfigurationError('GFR_TRAINER', `"${trainer}" is not gfr or xgboost`);
  }
  return {
    bucket: env.text('ARTIFACT_BUCKET'),
    modelPackageGroup: env.text('MODEL_PACKAGE_GROUP_NAME'),
    stateMachineArn: env.text('RETRAIN_STATE_MACHINE_ARN'),
    trainer,
    hyperparameters: env.stringRecord('HYPERPARAMETERS'),
    windows: {
      trainDays: env.number('TRAIN_DAYS', 28, 0.1),
      validationDays: env.number('VALIDATION_DAYS', 3, 0.1),
      testDays: env.number('TEST_DAYS', 3, 0.1),
      gapHours: env.number('GAP_HOURS', 0, 0),
    },
    trainingInstanceType: env.optionalText('TRAINING_INSTANCE_TYPE', 'ml.m5.2xlarge'),
    trainingInstanceCount: env.number(
      'TRAINING_INSTANCE_COUNT',
      trainer === 'xgboost' ? 2 : 1,
      1,
      100,
    ),
  };
}
