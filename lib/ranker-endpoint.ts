import { Duration, Fn, RemovalPolicy } from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import { Construct } from 'constructs';

import { BucketPrefix } from '../lambdas/src/contract';
import { ArtifactStore } from './artifact-store';
import { GfrConfig, VariantConfig } from './config';
import { InferenceImage } from './inference-image';
import { GfrNames, VariantNameValue } from './names';
import { SageMakerRole } from './sagemaker-role';

/** The content type the client sends and the image answers; captured as JSON, not BASE64. */
export const INVOCATION_CONTENT_TYPE = 'application/json';

/** Application Auto Scaling's dimension for a variant's instance count. */
export const VARIANT_SCALABLE_DIMENSION = 'sagemaker:variant:DesiredInstanceCount';

/** Properties of {@link RankerEndpoint}. */
export interface RankerEndpointProps {
  readonly names: GfrNames;
  readonly config: GfrConfig['endpoint'];
  /** Retain the endpoint on delete and replacement. */
  readonly production: boolean;
  readonly store: ArtifactStore;
  readonly image: InferenceImage;
}

/** One production variant as deployed: its model, its scaling target, its alarms. */
export interface RankerVariant {
  readonly name: VariantNameValue;
  readonly model: sagemaker.CfnModel;
  readonly scalableTarget: appscaling.CfnScalableTarget;
  /** The alarms that roll a blue/green update back: 5xx share and p99 model latency. */
  readonly alarms: readonly cloudwatch.Alarm[];
}

/**
 * The ranker's real-time endpoint: one CloudFormation-named Model per variant (the image and an
 * artifact of the bucket), an EndpointConfig with the champion and challenger variants and Data
 * Capture to the captures prefix, and an Endpoint with a stable name whose updates keep the
 * variants' live instance counts and weights. Each variant scales on invocations per instance,
 * registered only after the endpoint exists; blue/green updates roll back on the variants'
 * 5xx and latency alarms.
 *
 * Models and the config carry no physical names on purpose: CloudFormation replaces them
 * create-first on any change, and a fixed name cannot exist twice.
 */
export class RankerEndpoint extends Construct {
  /** The role the models and the endpoint run as: reads models/, writes captures/ only. */
  readonly executionRole: SageMakerRole;

  readonly endpointConfig: sagemaker.CfnEndpointConfig;

  readonly endpoint: sagemaker.CfnEndpoint;

  /** The stable endpoint name, a literal (so alarms and clients need no reference). */
  readonly endpointName: string;

  readonly variants: readonly RankerVariant[];

  /** Names of the alarms that roll a blue/green update back, literals. */
  readonly rollbackAlarmNames: readonly string[];

  /** Where Data Capture writes: `s3://<bucket>/captures`. */
  readonly captureS3Uri: string;

  constructor(scope: Construct, id: string, props: RankerEndpointProps) {
    super(scope, id);
    const { names, config, store, image } = props;
    this.endpointName = names.endpointName;
    this.captureS3Uri = store.bucket.s3UrlForObject(BucketPrefix.CAPTURES.slice(0, -1));

    this.executionRole = new SageMakerRole(this, 'ExecutionRole', {
      description: 'gfr ranker endpoint: pulls the image, reads models/, writes captures/',
      store,
      image,
      readPrefixes: [BucketPrefix.MODELS],
      writePrefixes: [BucketPrefix.CAPTURES],
    });

    const variantConfigs = Object.entries(config.variants).filter(
      (entry): entry is [VariantNameValue, VariantConfig] => entry[1] !== undefined,
    );
    const models = variantConfigs.map(([name, variant]) => {
      const model = new sagemaker.CfnModel(this, `Model${capitalize(name)}`, {
        executionRoleArn: this.executionRole.roleArn,
        primaryContainer: {
          image: image.imageUri,
          modelDataUrl: store.bucket.s3UrlForObject(variant.modelArtifactKey),
        },
        // The server needs no network: features arrive with each request.
        enableNetworkIsolation: true,
      });
      // SageMaker checks image and artifact access when it creates the model.
      model.node.addDependency(this.executionRole);
      return model;
    });

    this.endpointConfig = new sagemaker.CfnEndpointConfig(this, 'EndpointConfig', {
      kmsKeyId: store.key.keyArn,
      productionVariants: variantConfigs.map(([name, variant], index) => ({
        variantName: name,
        modelName: models[index].attrModelName,
        instanceType: config.instanceType,
        initialInstanceCount: variant.initialInstanceCount,
        initialVariantWeight: variant.initialWeight,
        containerStartupHealthCheckTimeoutInSeconds: config.startupHealthCheckTimeoutSeconds,
        modelDataDownloadTimeoutInSeconds: config.modelDataDownloadTimeoutSeconds,
      })),
      dataCaptureConfig: {
        enableCapture: true,
        initialSamplingPercentage: config.capturePercent,
        destinationS3Uri: this.captureS3Uri,
        kmsKeyId: store.key.keyArn,
        captureOptions: [{ captureMode: 'Input' }, { captureMode: 'Output' }],
        captureContentTypeHeader: { jsonContentTypes: [INVOCATION_CONTENT_TYPE] },
      },
    });

    // Literal names: the endpoint and the deploy handler name the alarms without references.
    this.rollbackAlarmNames = variantConfigs.flatMap(([name]) => rollbackAlarmNames(names, name));
    const alarms = variantConfigs.map(([name]) => this.variantAlarms(names, name, config));
    const rollbackAlarms = alarms.flat();

    this.endpoint = new sagemaker.CfnEndpoint(this, 'Endpoint', {
      endpointName: this.endpointName,
      endpointConfigName: this.endpointConfig.attrEndpointConfigName,
      // Updates keep live instance counts (autoscaling) and weights (A/B shifts by the deploy
      // handler); a new config's initial values only apply at creation.
      retainAllVariantProperties: true,
      deploymentConfig:
        config.blueGreen === false
          ? undefined
          : {
              blueGreenUpdatePolicy: {
                trafficRoutingConfiguration: trafficRouting(config.blueGreen),
                terminationWaitInSeconds: config.blueGreen.terminationWaitSeconds,
                maximumExecutionTimeoutInSeconds: config.blueGreen.maximumExecutionTimeoutSeconds,
              },
              autoRollbackConfiguration: {
                alarms: this.rollbackAlarmNames.map((alarmName) => ({ alarmName })),
              },
            },
    });
    if (props.production) {
      this.endpoint.applyRemovalPolicy(RemovalPolicy.RETAIN);
    }
    for (const alarm of rollbackAlarms) this.endpoint.node.addDependency(alarm);

    this.variants = variantConfigs.map(([name, variant], index) => ({
      name,
      model: models[index],
      scalableTarget: this.scaleVariant(name, variant, config),
      alarms: alarms[index],
    }));
  }

  /** A metric of one variant of this endpoint (namespace `AWS/SageMaker` unless given). */
  metricVariant(
    variantName: string,
    metricName: string,
    props: Partial<Omit<cloudwatch.MetricProps, 'metricName' | 'dimensionsMap'>> = {},
  ): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: 'AWS/SageMaker',
      metricName,
      dimensionsMap: { EndpointName: this.endpointName, VariantName: variantName },
      period: Duration.minutes(1),
      ...props,
    });
  }

  private scaleVariant(
    name: VariantNameValue,
    variant: VariantConfig,
    config: GfrConfig['endpoint'],
  ): appscaling.CfnScalableTarget {
    // Application Auto Scaling uses its SageMaker service-linked role, so no RoleARN. The
    // ResourceId references the endpoint's name attribute: registration waits for the endpoint.
    const target = new appscaling.CfnScalableTarget(this, `ScalableTarget${capitalize(name)}`, {
      serviceNamespace: 'sagemaker',
      scalableDimension: VARIANT_SCALABLE_DIMENSION,
      resourceId: Fn.join('/', ['endpoint', this.endpoint.attrEndpointName, 'variant', name]),
      minCapacity: variant.minCapacity,
      maxCapacity: variant.maxCapacity,
    });
    target.node.addDependency(this.endpoint);

    new appscaling.CfnScalingPolicy(this, `ScalingPolicy${capitalize(name)}`, {
      policyName: `${this.endpointName}-${name}-invocations`,
      policyType: 'TargetTrackingScaling',
      scalingTargetId: target.ref,
      targetTrackingScalingPolicyConfiguration: {
        targetValue: config.invocationsPerInstanceTarget,
        predefinedMetricSpecification: {
          predefinedMetricType: 'SageMakerVariantInvocationsPerInstance',
        },
        scaleInCooldown: config.scaleInCooldownSeconds,
        scaleOutCooldown: config.scaleOutCooldownSeconds,
      },
    });
    return target;
  }

  private variantAlarms(
    names: GfrNames,
    variantName: VariantNameValue,
    config: GfrConfig['endpoint'],
  ): cloudwatch.Alarm[] {
    const errors = this.metricVariant(variantName, 'Invocation5XXErrors', { statistic: 'Sum' });
    const invocations = this.metricVariant(variantName, 'Invocations', { statistic: 'Sum' });
    const errorPercent = new cloudwatch.MathExpression({
      expression: 'IF(invocations > 0, 100 * errors / invocations, 0)',
      usingMetrics: { errors, invocations },
      label: `${variantName} 5xx %`,
      period: Duration.minutes(1),
    });
    const errorAlarm = errorPercent.createAlarm(this, `Errors5xxAlarm${capitalize(variantName)}`, {
      alarmName: rollbackAlarmNames(names, variantName)[0],
      alarmDescription: `More than ${config.error5xxPercentThreshold} % of ${variantName} invocations failed with 5xx`,
      threshold: config.error5xxPercentThreshold,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    // ModelLatency is reported in microseconds.
    const latency = this.metricVariant(variantName, 'ModelLatency', { statistic: 'p99' });
    const latencyAlarm = latency.createAlarm(this, `LatencyAlarm${capitalize(variantName)}`, {
      alarmName: rollbackAlarmNames(names, variantName)[1],
      alarmDescription: `p99 model latency of ${variantName} above ${config.modelLatencyP99Milliseconds} ms`,
      threshold: config.modelLatencyP99Milliseconds * 1000,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    return [errorAlarm, latencyAlarm];
  }
}

function rollbackAlarmNames(names: GfrNames, variantName: string): [string, string] {
  return [
    names.alarmName(`${variantName}-5xx`),
    names.alarmName(`${variantName}-model-latency-p99`),
  ];
}

function trafficRouting(
  blueGreen: Exclude<GfrConfig['endpoint']['blueGreen'], false>,
): sagemaker.CfnEndpoint.TrafficRoutingConfigProperty {
  const step = { type: 'CAPACITY_PERCENT', value: blueGreen.stepPercent };
  return {
    type: blueGreen.trafficRouting,
    waitIntervalInSeconds: blueGreen.waitIntervalSeconds,
    canarySize: blueGreen.trafficRouting === 'CANARY' ? step : undefined,
    linearStepSize: blueGreen.trafficRouting === 'LINEAR' ? step : undefined,
  };
}

function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}
