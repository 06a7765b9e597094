import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  CreateEndpointConfigCommand,
  CreateModelCommand,
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  DescribeModelCommand,
  SageMakerClient,
  UpdateEndpointCommand,
  UpdateEndpointWeightsAndCapacitiesCommand,
  UpdateModelPackageCommand,
} from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import { silentLogger } from '@gfr/core';

import { CandidateReadyInput, GateVerdictPrefix, GfrMetric } from '../src/contract';
import { createDeployHandler } from '../src/deploy-handler';
import {
  EndpointNotReadyError,
  EndpointUpdateRolledBackError,
  VariantWeightsInvalidError,
} from '../src/errors';
import { MetricsRecorder } from './metrics-recorder';
import { s3Body } from './s3-body';

const sageMaker = mockClient(SageMakerClient);
const s3 = mockClient(S3Client);
const env = {
  GFR_ENDPOINT_NAME: 'gfr-ranker',
  GFR_MODEL_PACKAGE_GROUP_NAME: 'gfr-ranker',
  GFR_SAGEMAKER_ROLE_ARN: 'arn:aws:iam::111122223333:role/gfr-sagemaker',
  GFR_INFERENCE_IMAGE_URI: '111122223333.dkr.ecr.eu-west-1.amazonaws.com/gfr:abc',
  GFR_CHAMPION_VARIANT_NAME: 'champion',
  GFR_CHALLENGER_VARIANT_NAME: 'challenger',
  GFR_CHALLENGER_TRAFFIC_PERCENT: '10',
  GFR_ENDPOINT_INSTANCE_TYPE: 'ml.c7i.xlarge',
  GFR_ENDPOINT_INSTANCE_COUNT: '2',
  GFR_ROLLBACK_ALARM_NAMES: 'gfr-5xx,gfr-latency',
  GFR_CAPTURE_S3_URI: 's3://gfr-artifacts/captures',
  GFR_CAPTURE_PERCENT: '20',
};
const candidate: CandidateReadyInput = {
  kind: 'candidate-ready',
  jobName: 'gfr-ranker-2026120100',
  modelPackageArn: 'arn:aws:sagemaker:eu-west-1:111122223333:model-package/gfr-ranker/7',
  artifactUri: 's3://gfr-artifacts/models/gfr-ranker-2026120100/artifact/',
};
const championReportKey = 'models/gfr-ranker-2026112900/artifact/report.json';

function report(auc: number, logloss: number) {
  const head = { auc, logloss, ece: 0.01, calibration_ratio: 1.01, rows: 5000, positives: 400 };
  return JSON.stringify({ models: { ctr: { test: head }, cvr: { test: head } } });
}

const body = s3Body;

function givenEndpoint(status: string, configName = 'gfr-ranker-2026112900-ab', failure?: string) {
  sageMaker.on(DescribeEndpointCommand).resolves({
    EndpointName: 'gfr-ranker',
    EndpointStatus: status as never,
    EndpointConfigName: configName,
    FailureReason: failure,
    ProductionVariants: [
      { VariantName: 'champion', CurrentWeight: 90 },
      { VariantName: 'challenger', CurrentWeight: 10 },
    ],
  } as never);
}

function givenReports(candidateReport: string) {
  s3.on(GetObjectCommand, { Key: 'models/gfr-ranker-2026120100/artifact/report.json' }).resolves({
    Body: body(candidateReport),
  } as never);
  s3.on(GetObjectCommand, { Key: championReportKey }).resolves({
    Body: body(report(0.75, 0.3)),
  } as never);
}

beforeEach(() => {
  sageMaker.reset();
  s3.reset();
  givenEndpoint('InService');
  sageMaker.on(DescribeEndpointConfigCommand).resolves({
    ProductionVariants: [
      { VariantName: 'champion', ModelName: 'gfr-ranker-2026112900' },
      { VariantName: 'challenger', ModelName: 'gfr-ranker-2026112800' },
    ],
  } as never);
  sageMaker.on(DescribeModelCommand).resolves({
    PrimaryContainer: {
      ModelDataUrl: `s3://gfr-artifacts/${championReportKey.replace('report.json', 'model.tar.gz')}`,
    },
  } as never);
});

describe('deploy handler: a candidate', () => {
  test('a better candidate is approved, served as challenger at the split, blue/green with rollback alarms', async () => {
    givenReports(report(0.77, 0.29));
    const metrics = new MetricsRecorder();

    const outcome = await createDeployHandler({ env, logger: silentLogger, metrics })(candidate);

    expect(outcome.action).toBe('updating');
    expect(sageMaker.commandCalls(UpdateModelPackageCommand)[0].args[0].input).toMatchObject({
      ModelApprovalStatus: 'Approved',
      ModelPackageArn: candidate.modelPackageArn,
    });
    // The marker by which the approval event this write causes is known as the gate's own.
    expect(
      sageMaker.commandCalls(UpdateModelPackageCommand)[0].args[0].input.ApprovalDescription,
    ).toMatch(new RegExp(`^${GateVerdictPrefix.APPROVED}ctr: AUC 0\\.7700 vs champion`));
    expect(sageMaker.commandCalls(CreateModelCommand)[0].args[0].input).toEqual({
      ModelName: 'gfr-ranker-2026120100',
      ExecutionRoleArn: env.GFR_SAGEMAKER_ROLE_ARN,
      PrimaryContainer: {
        Image: env.GFR_INFERENCE_IMAGE_URI,
        ModelDataUrl: 's3://gfr-artifacts/models/gfr-ranker-2026120100/artifact/model.tar.gz',
      },
    });
    const config = sageMaker.commandCalls(CreateEndpointConfigCommand)[0].args[0].input;
    expect(config.EndpointConfigName).toBe('gfr-ranker-2026120100-ab');
    expect(
      config.ProductionVariants!.map((variant) => [
        variant.VariantName,
        variant.ModelName,
        variant.InitialVariantWeight,
        variant.InitialInstanceCount,
      ]),
    ).toEqual([
      ['champion', 'gfr-ranker-2026112900', 90, 2],
      ['challenger', 'gfr-ranker-2026120100', 10, 2],
    ]);
    expect(config.DataCaptureConfig).toMatchObject({
      EnableCapture: true,
      InitialSamplingPercentage: 20,
      DestinationS3Uri: 's3://gfr-artifacts/captures',
      CaptureContentTypeHeader: { JsonContentTypes: ['application/json'] },
    });
    const update = sageMaker.commandCalls(UpdateEndpointCommand)[0].args[0].input;
    expect(update).toMatchObject({
      EndpointName: 'gfr-ranker',
      EndpointConfigName: 'gfr-ranker-2026120100-ab',
      RetainAllVariantProperties: true,
      ExcludeRetainedVariantProperties: [{ VariantPropertyType: 'DesiredWeight' }],
      DeploymentConfig: {
        BlueGreenUpdatePolicy: { TrafficRoutingConfiguration: { Type: 'ALL_AT_ONCE' } },
        AutoRollbackConfiguration: {
          Alarms: [{ AlarmName: 'gfr-5xx' }, { AlarmName: 'gfr-latency' }],
        },
      },
    });
    expect(outcome.reasons).toContain(
      'ctr: AUC 0.7700 vs champion 0.7500 (+0.0200; within the tolerance of 0.0050)',
    );
    expect(metrics.value(GfrMetric.DEPLOY_ACCEPTED)).toBe(1);
  });

  test('a worse candidate is rejected with its reasons and nothing is deployed', async () => {
    givenReports(report(0.7, 0.35));
    const metrics = new MetricsRecorder();

    const outcome = await createDeployHandler({ env, logger: silentLogger, metrics })(candidate);

    expect(outcome.action).toBe('rejected');
    expect(outcome.reasons).toContain(
      'ctr: AUC 0.7000 vs champion 0.7500 (-0.0500; beyond the tolerance of 0.0050)',
    );
    const registration = sageMaker.commandCalls(UpdateModelPackageCommand)[0].args[0].input;
    expect(registration.ModelApprovalStatus).toBe('Rejected');
    expect(registration.ApprovalDescription).toMatch(
      /^gfr gate rejected: ctr: AUC 0\.7000 vs champion 0\.7500/,
    );
    expect(sageMaker.commandCalls(CreateModelCommand)).toHaveLength(0);
    expect(sageMaker.commandCalls(UpdateEndpointCommand)).toHaveLength(0);
    expect(metrics.value(GfrMetric.DEPLOY_REJECTED)).toBe(1);
  });

  test('a rerun finds the model and config it created before and still updates the endpoint', async () => {
    givenReports(report(0.77, 0.29));
    const exists = (what: string) =>
      Object.assign(new Error(`Cannot create already existing ${what}`), {
        name: 'ValidationException',
      });
    sageMaker.on(CreateModelCommand).rejects(exists('model'));
    sageMaker.on(CreateEndpointConfigCommand).rejects(exists('endpoint configuration'));

    const outcome = await createDeployHandler({
      env,
      logger: silentLogger,
      metrics: new MetricsRecorder(),
    })(candidate);

    expect(outcome.action).toBe('updating');
    expect(sageMaker.commandCalls(UpdateEndpointCommand)).toHaveLength(1);
  });

  test('while the endpoint is Updating nothing is called but DescribeEndpoint, and the error is retryable', async () => {
    givenEndpoint('Updating');
    givenReports(report(0.77, 0.29));

    const run = createDeployHandler({ env, logger: silentLogger, metrics: new MetricsRecorder() })(
      candidate,
    );

    await expect(run).rejects.toThrow(EndpointNotReadyError);
    await expect(run).rejects.toMatchObject({ retryable: true, status: 'Updating' });
    expect(sageMaker.commandCalls(UpdateEndpointCommand)).toHaveLength(0);
    expect(sageMaker.commandCalls(UpdateModelPackageCommand)).toHaveLength(0);
    expect(sageMaker.commandCalls(CreateModelCommand)).toHaveLength(0);
  });
});

describe('deploy handler: checking an update', () => {
  test('back InService on the old config with a FailureReason is reported as a rollback', async () => {
    givenEndpoint('InService', 'gfr-ranker-2026112900-ab', 'alarm gfr-5xx went off');
    const metrics = new MetricsRecorder();

    const run = createDeployHandler({ env, logger: silentLogger, metrics })({
      kind: 'check-update',
      endpointConfigName: 'gfr-ranker-2026120100-ab',
    });

    await expect(run).rejects.toThrow(EndpointUpdateRolledBackError);
    await expect(run).rejects.toThrow(
      'endpoint gfr-ranker rolled back to gfr-ranker-2026112900-ab instead of ' +
        'gfr-ranker-2026120100-ab: alarm gfr-5xx went off',
    );
    expect(metrics.value(GfrMetric.DEPLOY_ROLLED_BACK)).toBe(1);
    expect(metrics.value(GfrMetric.DEPLOY_SUCCEEDED)).toBeUndefined();
  });

  test('InService on the new config is a success; still Updating is retryable', async () => {
    givenEndpoint('InService', 'gfr-ranker-2026120100-ab');
    const metrics = new MetricsRecorder();
    const handler = createDeployHandler({ env, logger: silentLogger, metrics });
    const check = { kind: 'check-update' as const, endpointConfigName: 'gfr-ranker-2026120100-ab' };

    await expect(handler(check)).resolves.toMatchObject({ action: 'succeeded' });
    expect(metrics.value(GfrMetric.DEPLOY_SUCCEEDED)).toBe(1);

    givenEndpoint('Updating', 'gfr-ranker-2026112900-ab');
    await expect(handler(check)).rejects.toThrow(EndpointNotReadyError);
  });
});

describe('deploy handler: weights, rollback and promotion', () => {
  test('a weight-only change uses UpdateEndpointWeightsAndCapacities and no new config', async () => {
    const outcome = await createDeployHandler({
      env,
      logger: silentLogger,
      metrics: new MetricsRecorder(),
    })({
      kind: 'set-weights',
      weights: { champion: 50, challenger: 50 },
    });

    expect(outcome.action).toBe('weights-set');
    expect(
      sageMaker.commandCalls(UpdateEndpointWeightsAndCapacitiesCommand)[0].args[0].input,
    ).toEqual({
      EndpointName: 'gfr-ranker',
      DesiredWeightsAndCapacities: [
        { VariantName: 'champion', DesiredWeight: 50 },
        { VariantName: 'challenger', DesiredWeight: 50 },
      ],
    });
    expect(sageMaker.commandCalls(CreateEndpointConfigCommand)).toHaveLength(0);
    expect(sageMaker.commandCalls(UpdateEndpointCommand)).toHaveLength(0);
  });

  test.each([
    [{ shadow: 10 }, /has no variant shadow \(it has champion, challenger\)/],
    [{ champion: 0, challenger: 0 }, /would leave every variant of gfr-ranker at 0/],
    [{ champion: -1 }, /finite and zero or more/],
  ])('weights %j are refused before any update', async (weights, message) => {
    const run = createDeployHandler({ env, logger: silentLogger, metrics: new MetricsRecorder() })({
      kind: 'set-weights',
      weights,
    });

    await expect(run).rejects.toThrow(VariantWeightsInvalidError);
    await expect(run).rejects.toThrow(message);
    expect(sageMaker.commandCalls(UpdateEndpointWeightsAndCapacitiesCommand)).toHaveLength(0);
  });

  test('rollback takes all traffic from the challenger in place', async () => {
    await createDeployHandler({ env, logger: silentLogger, metrics: new MetricsRecorder() })({
      kind: 'rollback',
    });

    expect(
      sageMaker.commandCalls(UpdateEndpointWeightsAndCapacitiesCommand)[0].args[0].input
        .DesiredWeightsAndCapacities,
    ).toEqual([
      { VariantName: 'champion', DesiredWeight: 1 },
      { VariantName: 'challenger', DesiredWeight: 0 },
    ]);
  });

  test('promote serves the challenger model alone as champion, blue/green', async () => {
    const outcome = await createDeployHandler({
      env,
      logger: silentLogger,
      metrics: new MetricsRecorder(),
    })({
      kind: 'promote',
    });

    const config = sageMaker.commandCalls(CreateEndpointConfigCommand)[0].args[0].input;
    expect(config.EndpointConfigName).toBe('gfr-ranker-2026112800-promoted');
    expect(
      config.ProductionVariants!.map((variant) => [
        variant.VariantName,
        variant.ModelName,
        variant.InitialVariantWeight,
      ]),
    ).toEqual([['champion', 'gfr-ranker-2026112800', 100]]);
    expect(sageMaker.commandCalls(UpdateEndpointCommand)[0].args[0].input).toMatchObject({
      EndpointConfigName: 'gfr-ranker-2026112800-promoted',
      RetainAllVariantProperties: true,
    });
    expect(outcome.action).toBe('promoting');
  });
});

describe('deploy handler: training job outcomes', () => {
  test('a completed retraining job records its duration, a failed one its failure', async () => {
    const metrics = new MetricsRecorder();
    const handler = createDeployHandler({ env, logger: silentLogger, metrics });
    const event = (status: string, name = 'gfr-ranker-2026120100') => ({
      source: 'aws.sagemaker' as const,
      'detail-type': 'SageMaker Training Job State Change' as const,
      detail: {
        TrainingJobName: name,
        TrainingJobStatus: status,
        TrainingStartTime: 1_764_547_200_000,
        TrainingEndTime: 1_764_548_100_000,
        FailureReason: status === 'Failed' ? 'AlgorithmError: out of memory' : undefined,
      },
    });

    await handler(event('Completed'));
    const failed = await handler(event('Failed'));
    const other = await handler(event('Completed', 'someone-elses-job'));

    expect(metrics.value(GfrMetric.RETRAIN_COMPLETED)).toBe(1);
    expect(metrics.value(GfrMetric.RETRAIN_TRAINING_SECONDS)).toBe(900);
    expect(metrics.value(GfrMetric.RETRAIN_FAILED)).toBe(1);
    expect(failed.reasons).toEqual([
      'training job gfr-ranker-2026120100 Failed: AlgorithmError: out of memory',
    ]);
    expect(other.action).toBe('ignored');
  });
});
