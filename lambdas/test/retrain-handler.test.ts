import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  ListExecutionsCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { silentLogger } from '@gfr/core';

import { GfrMetric, RetrainExecutionInput } from '../src/contract';
import { HandlerConfigurationError } from '../src/errors';
import { createRetrainHandler } from '../src/retrain-handler';
import { MetricsRecorder } from './metrics-recorder';

const s3 = mockClient(S3Client);
const sfn = mockClient(SFNClient);
const machine = 'arn:aws:states:eu-west-1:111122223333:stateMachine:gfr-retrain';
const env = {
  GFR_ARTIFACT_BUCKET: 'gfr-artifacts',
  GFR_MODEL_PACKAGE_GROUP_NAME: 'gfr-ranker',
  GFR_RETRAIN_STATE_MACHINE_ARN: machine,
  GFR_TRAINER: 'xgboost',
  GFR_HYPERPARAMETERS: JSON.stringify({ num_round: 300, eta: 0.1, objective: 'binary:logistic' }),
  GFR_TRAIN_DAYS: '10',
  GFR_VALIDATION_DAYS: '2',
  GFR_TEST_DAYS: '2',
  GFR_GAP_HOURS: '0',
};
const schedule = { source: 'aws.events', 'detail-type': 'Scheduled Event' };

/** Two listing pages of daily event partitions, 2026-11-01 to 2026-11-30. */
function givenEventDays() {
  const key = (day: number) =>
    `data/events/dt=2026-11-${String(day).padStart(2, '0')}/part-0.parquet`;
  s3.on(ListObjectsV2Command, { ContinuationToken: undefined }).resolves({
    Contents: [1, 2, 3].map((day) => ({ Key: key(day), Size: 10 })),
    IsTruncated: true,
    NextContinuationToken: 'page-2',
  });
  s3.on(ListObjectsV2Command, { ContinuationToken: 'page-2' }).resolves({
    Contents: [29, 30].map((day) => ({ Key: key(day), Size: 10 })),
    IsTruncated: false,
  });
}

beforeEach(() => {
  s3.reset();
  sfn.reset();
  givenEventDays();
  sfn.on(ListExecutionsCommand).resolves({ executions: [] });
  sfn
    .on(DescribeExecutionCommand)
    .rejects(new ExecutionDoesNotExist({ message: 'does not exist', $metadata: {} }));
  sfn.on(StartExecutionCommand).resolves({ executionArn: `${machine}:x`, startDate: new Date() });
});

describe('retrain handler', () => {
  test('starts one execution named for the window, with string hyperparameters, after reading every listing page', async () => {
    const metrics = new MetricsRecorder();
    const outcome = await createRetrainHandler({ env, logger: silentLogger, metrics })(schedule);

    expect(s3.commandCalls(ListObjectsV2Command)).toHaveLength(2);
    const start = sfn.commandCalls(StartExecutionCommand);
    expect(start).toHaveLength(1);
    expect(start[0].args[0].input.name).toBe('gfr-ranker-2026120100');
    const input = JSON.parse(start[0].args[0].input.input!) as RetrainExecutionInput;
    expect(input.window).toEqual({
      trainStart: '2026-11-17T00:00:00.000Z',
      validationStart: '2026-11-27T00:00:00.000Z',
      testStart: '2026-11-29T00:00:00.000Z',
      testEnd: '2026-12-01T00:00:00.000Z',
      gapHours: 0,
    });
    expect(input.hyperparameters).toEqual({
      num_round: '300',
      eta: '0.1',
      objective: 'binary:logistic',
    });
    expect(Object.values(input.hyperparameters).every((value) => typeof value === 'string')).toBe(
      true,
    );
    expect(input.trainingSetsUri).toBe('s3://gfr-artifacts/features/gfr-ranker-2026120100/');
    expect(input.trainingInstanceCount).toBe(2);
    expect(input.trainingChannelUris.xgboostTrain).toBe(
      's3://gfr-artifacts/features/gfr-ranker-2026120100/xgboost/train/',
    );
    expect(input.processArguments).toEqual([
      'process',
      '--window',
      JSON.stringify(input.window),
      '--shards',
      '4',
    ]);
    expect(outcome.started).toBe(true);
    expect(metrics.value(GfrMetric.RETRAIN_STARTED)).toBe(1);
  });

  test('a drift event and the schedule on the same data name the same job', async () => {
    const handler = createRetrainHandler({
      env,
      logger: silentLogger,
      metrics: new MetricsRecorder(),
    });
    await handler({ source: 'gfr.drift', 'detail-type': 'Feature Drift Detected' });
    await handler(schedule);

    const names = sfn.commandCalls(StartExecutionCommand).map((call) => call.args[0].input.name);
    expect(names).toEqual(['gfr-ranker-2026120100', 'gfr-ranker-2026120100']);
  });

  test('starts nothing while any execution of the machine is running', async () => {
    sfn.on(ListExecutionsCommand).resolves({
      executions: [
        {
          executionArn: `${machine}:gfr-ranker-2026112900`,
          name: 'gfr-ranker-2026112900',
          stateMachineArn: machine,
          status: 'RUNNING',
          startDate: new Date(),
        },
      ],
    });
    const metrics = new MetricsRecorder();

    const outcome = await createRetrainHandler({ env, logger: silentLogger, metrics })(schedule);

    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
    expect(sfn.commandCalls(ListExecutionsCommand)[0].args[0].input.statusFilter).toBe('RUNNING');
    expect(outcome).toMatchObject({
      started: false,
      reason: 'execution gfr-ranker-2026112900 is running',
    });
    expect(metrics.value(GfrMetric.RETRAIN_SKIPPED)).toBe(1);
  });

  test('starts nothing when the window already has an execution, finished or not', async () => {
    sfn.on(DescribeExecutionCommand).resolves({ status: 'SUCCEEDED' } as never);

    const outcome = await createRetrainHandler({
      env,
      logger: silentLogger,
      metrics: new MetricsRecorder(),
    })(schedule);

    expect(sfn.commandCalls(DescribeExecutionCommand)[0].args[0].input.executionArn).toBe(
      'arn:aws:states:eu-west-1:111122223333:execution:gfr-retrain:gfr-ranker-2026120100',
    );
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
    expect(outcome).toMatchObject({
      started: false,
      reason: 'the window already has execution gfr-ranker-2026120100 (SUCCEEDED)',
    });
  });

  test('a start that lost a race to another trigger is a skip, not a failure', async () => {
    sfn
      .on(StartExecutionCommand)
      .rejects(new ExecutionAlreadyExists({ message: 'exists', $metadata: {} }));

    const outcome = await createRetrainHandler({
      env,
      logger: silentLogger,
      metrics: new MetricsRecorder(),
    })(schedule);

    expect(outcome).toMatchObject({
      started: false,
      reason: expect.stringMatching(/just started/),
    });
  });

  test('a manual start with dataEnd retrains the older window', async () => {
    const outcome = await createRetrainHandler({
      env,
      logger: silentLogger,
      metrics: new MetricsRecorder(),
    })({
      kind: 'manual',
      dataEnd: '2026-11-29T06:30:00Z',
    });

    expect(outcome).toMatchObject({ started: true, input: { jobName: 'gfr-ranker-2026112906' } });
  });

  test('hyperparameters that are not scalars fail with the variable named', async () => {
    const handler = createRetrainHandler({
      logger: silentLogger,
      env: { ...env, GFR_HYPERPARAMETERS: '{"eta": {"value": 0.1}}' },
      metrics: new MetricsRecorder(),
    });

    await expect(handler(schedule)).rejects.toThrow(HandlerConfigurationError);
    await expect(handler(schedule)).rejects.toThrow(/GFR_HYPERPARAMETERS: hyperparameter eta/);
  });

  test('an unknown event is refused before any call', async () => {
    const handler = createRetrainHandler({
      env,
      logger: silentLogger,
      metrics: new MetricsRecorder(),
    });

    await expect(handler({ hello: 'world' })).rejects.toThrow(/unknown event/);
    expect(s3.commandCalls(ListObjectsV2Command)).toHaveLength(0);
  });
});
