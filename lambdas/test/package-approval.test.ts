import { S3Client } from '@aws-sdk/client-s3';
import {
  CreateEndpointConfigCommand,
  CreateModelCommand,
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  DescribeModelCommand,
  DescribeModelPackageCommand,
  SageMakerClient,
  UpdateEndpointCommand,
  UpdateEndpointWeightsAndCapacitiesCommand,
  UpdateModelPackageCommand,
} from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import { silentLogger } from '@gfr/core';

import { GateVerdictPrefix, GfrMetric, SageMakerEvent } from '../src/contract';
import { createDeployHandler } from '../src/deploy-handler';
import { EndpointNotReadyError, ModelPackageUnservableError } from '../src/errors';
import { ModelPackageStateChangeEvent } from '../src/package-approval';
import { MetricsRecorder } from './metrics-recorder';

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
const packageArn = 'arn:aws:sagemaker:eu-west-1:111122223333:model-package/gfr-ranker/7';
const packageArtifact = 's3://gfr-artifacts/models/gfr-ranker-2026120100/artifact/model.tar.gz';
const championArtifact = 's3://gfr-artifacts/models/gfr-ranker-2026112900/artifact/model.tar.gz';
const challengerArtifact = 's3://gfr-artifacts/models/gfr-ranker-2026112800/artifact/model.tar.gz';

/** Every SageMaker command that changes something; a no-op sends none of them. */
const WRITE_COMMANDS = [
  UpdateModelPackageCommand,
  CreateModelCommand,
  CreateEndpointConfigCommand,
  UpdateEndpointCommand,
  UpdateEndpointWeightsAndCapacitiesCommand,
] as const;

function approvalEvent(
  detail: Partial<ModelPackageStateChangeEvent['detail']> = {},
): ModelPackageStateChangeEvent {
  return {
    source: SageMakerEvent.SOURCE,
    'detail-type': SageMakerEvent.MODEL_PACKAGE_STATE_CHANGE,
    detail: {
      ModelPackageGroupName: 'gfr-ranker',
      ModelPackageVersion: 7,
      ModelPackageArn: packageArn,
      ModelApprovalStatus: 'Approved',
      ...detail,
    },
  };
}

function givenPackage(approvalDescription: string | undefined, status = 'Approved') {
  sageMaker.on(DescribeModelPackageCommand, { ModelPackageName: packageArn }).resolves({
    ModelPackageArn: packageArn,
    ModelPackageGroupName: 'gfr-ranker',
    ModelPackageVersion: 7,
    ModelApprovalStatus: status as never,
    ApprovalDescription: approvalDescription,
    InferenceSpecification: {
      Containers: [{ Image: env.GFR_INFERENCE_IMAGE_URI, ModelDataUrl: packageArtifact }],
    },
  } as never);
}

function givenEndpoint(status: string) {
  sageMaker.on(DescribeEndpointCommand).resolves({
    EndpointName: 'gfr-ranker',
    EndpointStatus: status as never,
    EndpointConfigName: 'gfr-ranker-2026112900-ab',
    ProductionVariants: [
      { VariantName: 'champion', CurrentWeight: 90 },
      { VariantName: 'challenger', CurrentWeight: 10 },
    ],
  } as never);
}

function givenServedArtifacts(champion: string, challenger: string) {
  sageMaker.on(DescribeModelCommand, { ModelName: 'gfr-ranker-2026112900' }).resolves({
    PrimaryContainer: { ModelDataUrl: champion },
  } as never);
  sageMaker.on(DescribeModelCommand, { ModelName: 'gfr-ranker-2026112800' }).resolves({
    PrimaryContainer: { ModelDataUrl: challenger },
  } as never);
}

function writesSent(): string[] {
  const writes: readonly string[] = WRITE_COMMANDS.map((command) => command.name);
  return sageMaker
    .calls()
    .map((call) => (call.args[0] as object).constructor.name)
    .filter((name) => writes.includes(name));
}

function deployHandler(metrics = new MetricsRecorder()) {
  return createDeployHandler({ env, logger: silentLogger, metrics });
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
  givenServedArtifacts(championArtifact, challengerArtifact);
});

describe('deploy handler: a model package approved by a person', () => {
  test('is served as challenger beside the champion, blue/green with rollback alarms, no gate', async () => {
    givenPackage('looked at the offline report, ship it');
    const metrics = new MetricsRecorder();

    const outcome = await deployHandler(metrics)(approvalEvent());

    expect(outcome.action).toBe('updating');
    const model = sageMaker.commandCalls(CreateModelCommand)[0].args[0].input;
    expect(model.ModelName).toMatch(/^gfr-ranker-v7-[0-9a-f]{8}$/);
    expect(model).toMatchObject({
      ExecutionRoleArn: env.GFR_SAGEMAKER_ROLE_ARN,
      PrimaryContainer: { Image: env.GFR_INFERENCE_IMAGE_URI, ModelDataUrl: packageArtifact },
    });
    const config = sageMaker.commandCalls(CreateEndpointConfigCommand)[0].args[0].input;
    expect(config.EndpointConfigName).toMatch(/^gfr-ranker-v7-[0-9a-f]{8}-ab$/);
    expect(
      config.ProductionVariants!.map((variant) => [
        variant.VariantName,
        variant.ModelName,
        variant.InitialVariantWeight,
      ]),
    ).toEqual([
      ['champion', 'gfr-ranker-2026112900', 90],
      ['challenger', model.ModelName, 10],
    ]);
    expect(sageMaker.commandCalls(UpdateEndpointCommand)[0].args[0].input).toMatchObject({
      EndpointName: 'gfr-ranker',
      EndpointConfigName: config.EndpointConfigName,
      RetainAllVariantProperties: true,
      ExcludeRetainedVariantProperties: [{ VariantPropertyType: 'DesiredWeight' }],
      DeploymentConfig: {
        BlueGreenUpdatePolicy: { TrafficRoutingConfiguration: { Type: 'ALL_AT_ONCE' } },
        AutoRollbackConfiguration: {
          Alarms: [{ AlarmName: 'gfr-5xx' }, { AlarmName: 'gfr-latency' }],
        },
      },
    });
    expect(outcome.endpointConfigName).toBe(config.EndpointConfigName);
    // The person's approval stands: the handler neither gates nor re-approves the package.
    expect(sageMaker.commandCalls(UpdateModelPackageCommand)).toHaveLength(0);
    expect(s3.calls()).toHaveLength(0);
    expect(metrics.value(GfrMetric.DEPLOY_MANUALLY_APPROVED)).toBe(1);
  });

  test('approving a version the gate rejected rolls it out: the rejection marker is no approval', async () => {
    givenPackage(`${GateVerdictPrefix.REJECTED}ctr: AUC 0.7000 vs champion 0.7500`);

    const outcome = await deployHandler()(approvalEvent());

    expect(outcome.action).toBe('updating');
    expect(sageMaker.commandCalls(UpdateEndpointCommand)).toHaveLength(1);
  });

  test('the same approval beside another champion gets another config, never the earlier one', async () => {
    givenPackage(undefined);
    const first = await deployHandler()(approvalEvent());
    sageMaker.on(DescribeEndpointConfigCommand).resolves({
      ProductionVariants: [{ VariantName: 'champion', ModelName: 'gfr-ranker-2026113000' }],
    } as never);
    sageMaker.on(DescribeModelCommand, { ModelName: 'gfr-ranker-2026113000' }).resolves({
      PrimaryContainer: { ModelDataUrl: championArtifact.replace('29', '30') },
    } as never);

    const second = await deployHandler()(approvalEvent());

    expect(second.action).toBe('updating');
    expect(second.endpointConfigName).not.toBe(first.endpointConfigName);
    expect(second.endpointConfigName).toMatch(/^gfr-ranker-v7-[0-9a-f]{8}-ab$/);
  });

  test('while the endpoint is Updating nothing is written and the error is retryable', async () => {
    givenPackage('approved by hand');
    givenEndpoint('Updating');

    const run = deployHandler()(approvalEvent());

    await expect(run).rejects.toThrow(EndpointNotReadyError);
    await expect(run).rejects.toMatchObject({ retryable: true, status: 'Updating' });
    expect(writesSent()).toEqual([]);
  });
});

describe('deploy handler: approvals it must not roll out', () => {
  test("the gate's own approval is a no-op: no endpoint read, no SageMaker write (no loop)", async () => {
    givenPackage(`${GateVerdictPrefix.APPROVED}ctr: AUC 0.7700 vs champion 0.7500`);
    const metrics = new MetricsRecorder();

    const outcome = await deployHandler(metrics)(approvalEvent());

    expect(outcome).toEqual({
      action: 'ignored',
      reasons: [
        `${packageArn} was approved by the gate (its description starts with ` +
          `"${GateVerdictPrefix.APPROVED}"): the retraining chain rolls it out`,
      ],
    });
    expect(writesSent()).toEqual([]);
    expect(sageMaker.commandCalls(DescribeEndpointCommand)).toHaveLength(0);
    expect(metrics.published).toEqual([]);
  });

  test.each([
    ['champion', packageArtifact, challengerArtifact, 'gfr-ranker-2026112900'],
    ['challenger', championArtifact, packageArtifact, 'gfr-ranker-2026112800'],
  ])(
    'a version the %s already serves is a no-op',
    async (variant, champion, challenger, modelName) => {
      givenPackage('approved by hand');
      givenServedArtifacts(champion, challenger);

      const outcome = await deployHandler()(approvalEvent());

      expect(outcome).toEqual({
        action: 'ignored',
        reasons: [
          `${packageArn} is already served: the ${variant} variant's model ${modelName} ` +
            `serves ${packageArtifact}`,
        ],
      });
      expect(writesSent()).toEqual([]);
    },
  );

  test('an already-served version is ignored even while the endpoint is updating', async () => {
    givenPackage('approved by hand');
    givenServedArtifacts(championArtifact, packageArtifact);
    givenEndpoint('Updating');

    await expect(deployHandler()(approvalEvent())).resolves.toMatchObject({ action: 'ignored' });
    expect(writesSent()).toEqual([]);
  });

  test.each([
    [{ ModelPackageGroupName: 'someone-elses-group' }, /not ours \(gfr-ranker\)/],
    [{ ModelApprovalStatus: 'Rejected' }, /model-package\/gfr-ranker\/7 is Rejected, not Approved/],
    [{ ModelApprovalStatus: 'PendingManualApproval' }, /is PendingManualApproval, not Approved/],
  ])('event %j is ignored with its reason and nothing is called', async (detail, reason) => {
    const outcome = await deployHandler()(approvalEvent(detail));

    expect(outcome.action).toBe('ignored');
    expect(outcome.reasons[0]).toMatch(reason);
    expect(sageMaker.calls()).toHaveLength(0);
  });

  test('a late event for a version no longer approved is ignored', async () => {
    givenPackage('approved by hand', 'Rejected');

    const outcome = await deployHandler()(approvalEvent());

    expect(outcome.reasons).toEqual([`${packageArn} is now Rejected: the approval was withdrawn`]);
    expect(writesSent()).toEqual([]);
  });

  test('a package without exactly one model artifact fails naming the package', async () => {
    sageMaker.on(DescribeModelPackageCommand).resolves({
      ModelPackageGroupName: 'gfr-ranker',
      ModelApprovalStatus: 'Approved',
      InferenceSpecification: { Containers: [{ Image: env.GFR_INFERENCE_IMAGE_URI }] },
    } as never);

    const run = deployHandler()(approvalEvent());

    await expect(run).rejects.toThrow(ModelPackageUnservableError);
    await expect(run).rejects.toThrow(
      `model package ${packageArn} cannot be served: it has 1 containers and no ModelDataUrl`,
    );
    expect(writesSent()).toEqual([]);
  });
});
