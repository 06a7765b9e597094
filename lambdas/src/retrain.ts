/**
 * Starting a retraining run: the windows come from the event data present in the bucket, the
 * run is named from the model package group and the window, and nothing starts when the
 * retraining state machine already ran (or runs) that window, or runs any window at all.
 */
import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  ListExecutionsCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { S3Client } from '@aws-sdk/client-s3';
import {
  RetrainWindowSettings,
  computeRetrainWindow,
  eventDaySpan,
  InsufficientDataError,
  retrainJobName,
} from '@gfr/core/dist/automation/lambda';

import { BucketPrefix, ImageCommand, RetrainExecutionInput } from './contract';
import { listAllObjects } from './s3-objects';

/** Where a retrain request came from. */
export type RetrainTriggerKind = 'schedule' | 'drift' | 'manual';

/** Everything {@link startRetrain} needs besides the clients. */
export interface RetrainSettings {
  bucket: string;
  modelPackageGroup: string;
  stateMachineArn: string;
  trainer: 'gfr' | 'xgboost';
  /** Already strings: SageMaker refuses anything else. */
  hyperparameters: Record<string, string>;
  windows: RetrainWindowSettings;
  trainingInstanceType: string;
  trainingInstanceCount: number;
}

/** What one request did: started a run, or why not. */
export type RetrainOutcome =
  | {
      started: true;
      trigger: RetrainTriggerKind;
      executionArn: string;
      input: RetrainExecutionInput;
    }
  | { started: false; trigger: RetrainTriggerKind; jobName: string | null; reason: string };

/** The key prefix of date-partitioned canonical events (`dt=yyyy-mm-dd/`). */
export const eventsPrefix = `${BucketPrefix.DATA}events/`;

/**
 * Starts one execution of the retraining state machine for the latest window the data allows,
 * named after it; `dataEnd` overrides the end of the data (a manual rerun of an older window).
 */
export async function startRetrain(
  clients: { s3: S3Client; sfn: SFNClient },
  settings: RetrainSettings,
  trigger: RetrainTriggerKind,
  dataEnd?: Date,
): Promise<RetrainOutcome> {
  const objects = await listAllObjects(clients.s3, settings.bucket, eventsPrefix);
  const span = eventDaySpan(objects.map((object) => object.key));
  if (!span) {
    throw new InsufficientDataError(
      `s3://${settings.bucket}/${eventsPrefix} holds no date-partitioned events ` +
        `(${objects.length} objects; expected keys like ${eventsPrefix}dt=2026-12-01/part-0.parquet)`,
    );
  }
  const end = dataEnd && dataEnd < span.end ? dataEnd : span.end;
  const window = computeRetrainWindow(span.start, end, settings.windows);
  const jobName = retrainJobName(settings.modelPackageGroup, window);

  const running = await clients.sfn.send(
    new ListExecutionsCommand({
      stateMachineArn: settings.stateMachineArn,
      statusFilter: 'RUNNING',
      maxResults: 1,
    }),
  );
  const busy = running.executions?.[0];
  if (busy) {
    return { started: false, trigger, jobName, reason: `execution ${busy.name} is running` };
  }
  const existing = await describeExecution(
    clients.sfn,
    executionArn(settings.stateMachineArn, jobName),
  );
  if (existing) {
    return {
      started: false,
      trigger,
      jobName,
      reason: `the window already has execution ${jobName} (${existing})`,
    };
  }

  const bucket = `s3://${settings.bucket}/`;
  const trainingInstanceCount = settings.trainer === 'gfr' ? 1 : settings.trainingInstanceCount;
  const input: RetrainExecutionInput = {
    jobName,
    trainer: settings.trainer,
    window: {
      trainStart: window.trainStart,
      validationStart: window.validationStart,
      testStart: window.testStart,
      testEnd: window.testEnd,
      gapHours: window.gapHours,
    },
    canonicalDataUri: `${bucket}${BucketPrefix.DATA}`,
    trainingSetsUri: `${bucket}${BucketPrefix.FEATURES}${jobName}/`,
    trainingChannelUris: {
      gfr: `${bucket}${BucketPrefix.FEATURES}${jobName}/gfr/`,
      xgboostTrain: `${bucket}${BucketPrefix.FEATURES}${jobName}/xgboost/train/`,
      xgboostValidation: `${bucket}${BucketPrefix.FEATURES}${jobName}/xgboost/validation/`,
    },
    processArguments: [
      ImageCommand.PROCESS,
      '--window',
      JSON.stringify(window),
      '--shards',
      // Every XGBoost instance needs its own non-empty shards; a few per instance even them out.
      String(Math.max(4, 2 * trainingInstanceCount)),
    ],
    trainingOutputUri: `${bucket}${BucketPrefix.MODELS}${jobName}/training/`,
    artifactUri: `${bucket}${BucketPrefix.MODELS}${jobName}/artifact/`,
    hyperparameters: settings.hyperparameters,
    trainingInstanceType: settings.trainingInstanceType,
    trainingInstanceCount,
  };
  try {
    const started = await clients.sfn.send(
      new StartExecutionCommand({
        stateMachineArn: settings.stateMachineArn,
        name: jobName,
        input: JSON.stringify(input),
      }),
    );
    return { started: true, trigger, executionArn: started.executionArn!, input };
  } catch (error) {
    // Two triggers raced past the checks: Step Functions keeps execution names unique.
    if (error instanceof ExecutionAlreadyExists) {
      return { started: false, trigger, jobName, reason: `execution ${jobName} was just started` };
    }
    throw error;
  }
}

/** `arn:aws:states:r:a:stateMachine:M` and `N` → `arn:aws:states:r:a:execution:M:N`. */
export function executionArn(stateMachineArn: string, name: string): string {
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
}

async function describeExecution(sfn: SFNClient, arn: string): Promise<string | null> {
  try {
    const execution = await sfn.send(new DescribeExecutionCommand({ executionArn: arn }));
    return execution.status ?? 'UNKNOWN';
  } catch (error) {
    if (error instanceof ExecutionDoesNotExist) return null;
    throw error;
  }
}
