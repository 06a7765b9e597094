import { Match } from 'aws-cdk-lib/assertions';

import { BucketPrefix } from '../../lambdas/src/contract';
import { VariantName } from '../../lib/names';
import { SynthesizedApp, removeOutput, resourcesOf, synthesizeApp } from './support/gfr-app';

// Two syntheses of the same stage: the defaults, and a production stage whose champion serves
// another artifact (a model change as the stack sees it).
let base: SynthesizedApp;
let changed: SynthesizedApp;
const otherArtifact = 'models/other/artifact/model.tar.gz';

beforeAll(() => {
  base = synthesizeApp();
  changed = synthesizeApp({
    overrides: {
      production: true,
      endpoint: { variants: { champion: { modelArtifactKey: otherArtifact } } },
    },
  });
});

afterAll(() => {
  removeOutput(base);
  removeOutput(changed);
});

function onlyResource(app: SynthesizedApp, type: string) {
  const resources = resourcesOf(app.templates.endpoint, type);
  const ids = Object.keys(resources);
  expect(ids).toHaveLength(1);
  return { id: ids[0], resource: resources[ids[0]] };
}

describe('RankerEndpoint', () => {
  it('leaves Model and EndpointConfig unnamed while the endpoint name is stable (P1)', () => {
    const template = base.templates.endpoint;
    template.allResourcesProperties('AWS::SageMaker::Model', { ModelName: Match.absent() });
    template.hasResourceProperties('AWS::SageMaker::EndpointConfig', {
      EndpointConfigName: Match.absent(),
    });
    template.hasResourceProperties('AWS::SageMaker::Endpoint', { EndpointName: 'gfr-test-ranker' });
    expect(onlyResource(changed, 'AWS::SageMaker::Endpoint').resource.Properties.EndpointName).toBe(
      'gfr-test-ranker',
    );
  });

  it('chains Model → EndpointConfig → Endpoint by reference, so a model change rolls through (P2)', () => {
    const models = resourcesOf(base.templates.endpoint, 'AWS::SageMaker::Model');
    const config = onlyResource(base, 'AWS::SageMaker::EndpointConfig');
    const variants = config.resource.Properties.ProductionVariants as Record<string, unknown>[];
    expect(variants.map((variant) => variant.ModelName)).toEqual(
      Object.keys(models).map((id) => ({ 'Fn::GetAtt': [id, 'ModelName'] })),
    );

    const endpoint = onlyResource(base, 'AWS::SageMaker::Endpoint');
    expect(endpoint.resource.Properties.EndpointConfigName).toEqual({
      'Fn::GetAtt': [config.id, 'EndpointConfigName'],
    });

    // The changed artifact reaches the champion's model; logical IDs stay.
    const logicalIds = (app: SynthesizedApp) =>
      Object.keys(app.templates.endpoint.toJSON().Resources).sort();
    expect(logicalIds(changed)).toEqual(logicalIds(base));
    const championUrl = (app: SynthesizedApp) =>
      JSON.stringify(
        resourcesOf(app.templates.endpoint, 'AWS::SageMaker::Model')[
          Object.keys(models).find((id) => id.includes('Champion'))!
        ].Properties.PrimaryContainer,
      );
    expect(championUrl(changed)).toContain(otherArtifact);
    expect(championUrl(base)).not.toContain(otherArtifact);
  });

  it('registers each scaling target after the endpoint, on a variant the config has (P3, P4)', () => {
    const endpoint = onlyResource(base, 'AWS::SageMaker::Endpoint');
    const config = onlyResource(base, 'AWS::SageMaker::EndpointConfig');
    const variantNames = (
      config.resource.Properties.ProductionVariants as { VariantName: string }[]
    ).map((variant) => variant.VariantName);
    expect(variantNames).toEqual([VariantName.CHAMPION, VariantName.CHALLENGER]);

    const targets = resourcesOf(
      base.templates.endpoint,
      'AWS::ApplicationAutoScaling::ScalableTarget',
    );
    expect(Object.keys(targets)).toHaveLength(2);
    for (const target of Object.values(targets)) {
      expect(target.Properties.ServiceNamespace).toBe('sagemaker');
      expect(target.DependsOn).toContain(endpoint.id);
      // The ResourceId joins literals and the endpoint's name attribute (the dependency).
      const [separator, parts] = (
        target.Properties.ResourceId as { 'Fn::Join': [string, unknown[]] }
      )['Fn::Join'];
      const endpointName = { 'Fn::GetAtt': [endpoint.id, 'EndpointName'] };
      const resourceId = parts
        .map((part) =>
          JSON.stringify(part) === JSON.stringify(endpointName) ? '<endpoint>' : part,
        )
        .join(separator);
      const variant = /^endpoint\/<endpoint>\/variant\/([a-z]+)$/.exec(resourceId)![1];
      expect(variantNames).toContain(variant);
    }
    base.templates.endpoint.resourceCountIs('AWS::ApplicationAutoScaling::ScalingPolicy', 2);
    base.templates.endpoint.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      TargetTrackingScalingPolicyConfiguration: {
        TargetValue: base.config.endpoint.invocationsPerInstanceTarget,
        PredefinedMetricSpecification: {
          PredefinedMetricType: 'SageMakerVariantInvocationsPerInstance',
        },
        ScaleInCooldown: base.config.endpoint.scaleInCooldownSeconds,
        ScaleOutCooldown: base.config.endpoint.scaleOutCooldownSeconds,
      },
    });
  });

  it('retains live instance counts and weights on updates (P5)', () => {
    base.templates.endpoint.hasResourceProperties('AWS::SageMaker::Endpoint', {
      RetainAllVariantProperties: true,
      ExcludeRetainedVariantProperties: Match.absent(),
    });
  });

  it('captures JSON requests and answers under the captures prefix, which is all the role may write (P8)', () => {
    base.templates.endpoint.hasResourceProperties('AWS::SageMaker::EndpointConfig', {
      DataCaptureConfig: {
        EnableCapture: true,
        InitialSamplingPercentage: base.config.endpoint.capturePercent,
        CaptureOptions: [{ CaptureMode: 'Input' }, { CaptureMode: 'Output' }],
        CaptureContentTypeHeader: { JsonContentTypes: ['application/json'] },
        KmsKeyId: Match.anyValue(),
      },
    });
    const config = onlyResource(base, 'AWS::SageMaker::EndpointConfig').resource.Properties;
    const destination = JSON.stringify(
      (config.DataCaptureConfig as Record<string, unknown>).DestinationS3Uri,
    );
    expect(destination).toMatch(
      new RegExp(
        `^\\{"Fn::Join":\\["",\\["s3://",.*"/${BucketPrefix.CAPTURES.slice(0, -1)}"\\]\\]\\}$`,
      ),
    );

    const writes = writableObjectPatterns(base);
    expect(writes).toEqual([`/${BucketPrefix.CAPTURES}*`]);
  });

  it('creates models only after the execution role can pull the image and read the artifact (P11)', () => {
    const policies = resourcesOf(base.templates.endpoint, 'AWS::IAM::Policy');
    const [policyId] = Object.keys(policies);
    expect(Object.keys(policies)).toHaveLength(1);
    for (const model of Object.values(
      resourcesOf(base.templates.endpoint, 'AWS::SageMaker::Model'),
    )) {
      expect(model.DependsOn).toContain(policyId);
      expect(model.Properties.EnableNetworkIsolation).toBe(true);
    }

    const statements = JSON.stringify(policies[policyId].Properties.PolicyDocument);
    for (const action of [
      'ecr:BatchGetImage',
      'ecr:GetDownloadUrlForLayer',
      'ecr:GetAuthorizationToken',
    ]) {
      expect(statements).toContain(action);
    }
    expect(statements).toMatch(new RegExp(`"s3:GetObject".*/${BucketPrefix.MODELS}\\*`));
  });

  it('rolls a blue/green update back on the variants’ 5xx and latency alarms', () => {
    const endpoint = onlyResource(base, 'AWS::SageMaker::Endpoint');
    const deployment = endpoint.resource.Properties.DeploymentConfig as {
      AutoRollbackConfiguration: { Alarms: { AlarmName: string }[] };
      BlueGreenUpdatePolicy: { TrafficRoutingConfiguration: { Type: string } };
    };
    const alarmNames = Object.values(
      resourcesOf(base.templates.endpoint, 'AWS::CloudWatch::Alarm'),
    ).map((alarm) => alarm.Properties.AlarmName);
    expect(
      deployment.AutoRollbackConfiguration.Alarms.map((alarm) => alarm.AlarmName).sort(),
    ).toEqual([...alarmNames].sort());
    expect(alarmNames).toEqual(
      expect.arrayContaining(['gfr-test-champion-5xx', 'gfr-test-challenger-model-latency-p99']),
    );
    expect(deployment.BlueGreenUpdatePolicy.TrafficRoutingConfiguration.Type).toBe('CANARY');
  });

  it('keeps a production endpoint on delete and replacement, with explicit timeouts (P17)', () => {
    const endpoint = onlyResource(changed, 'AWS::SageMaker::Endpoint');
    expect(endpoint.resource.DeletionPolicy).toBe('Retain');
    expect(endpoint.resource.UpdateReplacePolicy).toBe('Retain');
    expect(changed.stacks.endpoint.terminationProtection).toBe(true);
    expect(onlyResource(base, 'AWS::SageMaker::Endpoint').resource.DeletionPolicy).toBeUndefined();

    const variants = onlyResource(changed, 'AWS::SageMaker::EndpointConfig').resource.Properties
      .ProductionVariants as Record<string, unknown>[];
    for (const variant of variants) {
      expect(variant.ContainerStartupHealthCheckTimeoutInSeconds).toBe(
        changed.config.endpoint.startupHealthCheckTimeoutSeconds,
      );
      expect(variant.ModelDataDownloadTimeoutInSeconds).toBe(
        changed.config.endpoint.modelDataDownloadTimeoutSeconds,
      );
    }
  });
});

/** Object key patterns the endpoint's role may put objects to, e.g. `/captures/*`. */
function writableObjectPatterns(app: SynthesizedApp): string[] {
  const patterns: string[] = [];
  for (const policy of Object.values(resourcesOf(app.templates.endpoint, 'AWS::IAM::Policy'))) {
    const document = policy.Properties.PolicyDocument as {
      Statement: { Action: string | string[]; Resource: unknown }[];
    };
    for (const statement of document.Statement) {
      if (![statement.Action].flat().includes('s3:PutObject')) continue;
      for (const resource of [statement.Resource].flat()) {
        const text = JSON.stringify(resource);
        patterns.push(text.match(/"(\/[^"]*\*)"/)![1]);
      }
    }
  }
  return patterns;
}
