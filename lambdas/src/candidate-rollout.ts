/**
 * Rolling a registered candidate out: gate it against the champion, approve or reject its model
 * package with the reasons, and when approved create its Model and an EndpointConfig that serves
 * the champion and the candidate (as challenger) at the configured split, then update the
 * endpoint blue/green with auto-rollback alarms. Promotion swaps the challenger in as champion.
 */
import {
  CreateEndpointConfigCommand,
  CreateModelCommand,
  DescribeEndpointConfigCommand,
  DescribeModelCommand,
  ProductionVariant,
  SageMakerClient,
  UpdateEndpointCommand,
  UpdateModelPackageCommand,
} from '@aws-sdk/client-sagemaker';
import { S3Client } from '@aws-sdk/client-s3';
import {
  GateDecision,
  GateSettings,
  ModelMetrics,
  gateCandidate,
  modelMetricsFromDocument,
} from '@gfr/core/dist/automation/lambda';

import { parseS3Uri } from './config';
import { CandidateReadyInput, GateVerdictPrefix } from './contract';
import { EndpointState, describeEndpoint, requireInService } from './endpoint-state';
import { HandlerEventInvalidError } from './errors';
import { readObjectText } from './s3-objects';

/** The endpoint and rollout settings, from the stack's environment. */
export interface RolloutSettings {
  endpointName: string;
  championVariant: string;
  challengerVariant: string;
  /** Share of traffic a new challenger gets, percent (0–100). */
  challengerPercent: number;
  instanceType: string;
  instanceCount: number;
  roleArn: string;
  imageUri: string;
  /** Alarms that roll a blue/green update back; none means no automatic rollback. */
  rollbackAlarmNames: string[];
  /** `s3://bucket/captures`, or null for no capture. */
  captureS3Uri: string | null;
  capturePercent: number;
  gate: GateSettings;
}

/** What a candidate rollout did. */
export interface RolloutOutcome {
  action: 'rejected' | 'updating';
  decision: GateDecision;
  /** The config the endpoint is being updated to (updating only). */
  endpointConfigName: string | null;
  /** The config that served before. */
  previousConfigName: string;
}

/** The longest SageMaker resource name. */
const maximumNameLength = 63;

/** The longest model package `ApprovalDescription`. */
const maximumDescriptionLength = 1024;

/** The content type gfr's client sends: captured as JSON text, not base64 (pitfall P8). */
const invocationContentType = 'application/json';

/**
 * Gates the candidate the retraining chain registered and, when it passes, starts the endpoint
 * update that serves it as challenger. Refuses (retryably) before any side effect when the
 * endpoint is not `InService`.
 */
export async function rollOutCandidate(
  clients: { sageMaker: SageMakerClient; s3: S3Client },
  settings: RolloutSettings,
  input: CandidateReadyInput,
): Promise<RolloutOutcome> {
  requireCandidateInput(input);
  const endpoint = await describeEndpoint(clients.sageMaker, settings.endpointName);
  requireInService(endpoint);

  const candidateReport = `${input.artifactUri.replace(/\/?$/, '/')}report.json`;
  const candidate = await readMetrics(clients.s3, candidateReport);
  const champion = await championModel(clients, settings, endpoint);
  const decision = gateCandidate(candidate, champion?.metrics ?? null, settings.gate);
  const description = (prefix: string) =>
    `${prefix}${decision.reasons.join('; ')}`.slice(0, maximumDescriptionLength);

  if (!decision.accepted) {
    await clients.sageMaker.send(
      new UpdateModelPackageCommand({
        ModelPackageArn: input.modelPackageArn,
        ModelApprovalStatus: 'Rejected',
        ApprovalDescription: description(GateVerdictPrefix.REJECTED),
      }),
    );
    return {
      action: 'rejected',
      decision,
      endpointConfigName: null,
      previousConfigName: endpoint.configName,
    };
  }

  await clients.sageMaker.send(
    new UpdateModelPackageCommand({
      ModelPackageArn: input.modelPackageArn,
      ModelApprovalStatus: 'Approved',
      // The marker tells the approval event this write causes from a person's approval.
      ApprovalDescription: description(GateVerdictPrefix.APPROVED),
    }),
  );
  const endpointConfigName = resourceName(input.jobName, '-ab');
  await serveAsChallenger(clients.sageMaker, settings, {
    modelName: resourceName(input.jobName, ''),
    modelDataUrl: `${input.artifactUri.replace(/\/?$/, '/')}model.tar.gz`,
    championModelName: champion?.modelName ?? null,
    endpointConfigName,
  });
  return {
    action: 'updating',
    decision,
    endpointConfigName,
    previousConfigName: endpoint.configName,
  };
}

/** What {@link serveAsChallenger} rolls out. */
export interface ChallengerRollout {
  /** The SageMaker model to create (if it does not exist) for the new challenger. */
  readonly modelName: string;
  /** The challenger's `model.tar.gz`. */
  readonly modelDataUrl: string;
  /** The model the champion variant serves now; null serves the new model alone as champion. */
  readonly championModelName: string | null;
  readonly endpointConfigName: string;
}

/**
 * Creates the challenger's model (the stack's inference image) and an endpoint config with the
 * champion at 100 − the challenger's percent beside it, then updates the endpoint blue/green.
 * Creates that already happened (a rerun) count as done. The caller checks `InService` first.
 */
export async function serveAsChallenger(
  sageMaker: SageMakerClient,
  settings: RolloutSettings,
  rollout: ChallengerRollout,
): Promise<void> {
  await createUnlessExists(
    sageMaker,
    new CreateModelCommand({
      ModelName: rollout.modelName,
      ExecutionRoleArn: settings.roleArn,
      PrimaryContainer: { Image: settings.imageUri, ModelDataUrl: rollout.modelDataUrl },
    }),
  );

  const variants = rollout.championModelName
    ? [
        variant(
          settings,
          settings.championVariant,
          rollout.championModelName,
          100 - settings.challengerPercent,
        ),
        variant(
          settings,
          settings.challengerVariant,
          rollout.modelName,
          settings.challengerPercent,
        ),
      ]
    : [variant(settings, settings.championVariant, rollout.modelName, 100)];
  await createConfigAndUpdate(sageMaker, settings, rollout.endpointConfigName, variants);
}

/**
 * Promotes the challenger: a new config serving the challenger's model alone under the champion
 * variant's name, rolled out blue/green like a candidate.
 */
export async function promoteChallenger(
  sageMaker: SageMakerClient,
  settings: RolloutSettings,
): Promise<{ endpointConfigName: string; modelName: string; previousConfigName: string }> {
  const endpoint = await describeEndpoint(sageMaker, settings.endpointName);
  requireInService(endpoint);
  const models = await variantModels(sageMaker, endpoint.configName);
  const modelName = models.get(settings.challengerVariant);
  if (!modelName) {
    throw new HandlerEventInvalidError(
      `endpoint ${settings.endpointName} (${endpoint.configName}) has no ` +
        `${settings.challengerVariant} variant to promote`,
    );
  }
  const endpointConfigName = resourceName(modelName, '-promoted');
  await createConfigAndUpdate(sageMaker, settings, endpointConfigName, [
    variant(settings, settings.championVariant, modelName, 100),
  ]);
  return { endpointConfigName, modelName, previousConfigName: endpoint.configName };
}

async function createConfigAndUpdate(
  sageMaker: SageMakerClient,
  settings: RolloutSettings,
  endpointConfigName: string,
  variants: ProductionVariant[],
): Promise<void> {
  await createUnlessExists(
    sageMaker,
    new CreateEndpointConfigCommand({
      EndpointConfigName: endpointConfigName,
      ProductionVariants: variants,
      DataCaptureConfig: settings.captureS3Uri
        ? {
            EnableCapture: true,
            InitialSamplingPercentage: settings.capturePercent,
            DestinationS3Uri: settings.captureS3Uri,
            CaptureOptions: [{ CaptureMode: 'Input' }, { CaptureMode: 'Output' }],
            CaptureContentTypeHeader: { JsonContentTypes: [invocationContentType] },
          }
        : undefined,
    }),
  );
  await sageMaker.send(
    new UpdateEndpointCommand({
      EndpointName: settings.endpointName,
      EndpointConfigName: endpointConfigName,
      // Keep instance counts that auto scaling set (pitfall P5), but apply the new split.
      RetainAllVariantProperties: true,
      ExcludeRetainedVariantProperties: [{ VariantPropertyType: 'DesiredWeight' }],
      DeploymentConfig: {
        BlueGreenUpdatePolicy: {
          TrafficRoutingConfiguration: { Type: 'ALL_AT_ONCE', WaitIntervalInSeconds: 300 },
          TerminationWaitInSeconds: 300,
          MaximumExecutionTimeoutInSeconds: 3600,
        },
        AutoRollbackConfiguration:
          settings.rollbackAlarmNames.length > 0
            ? { Alarms: settings.rollbackAlarmNames.map((name) => ({ AlarmName: name })) }
            : undefined,
      },
    }),
  );
}

/**
 * Sends a Create command, treating "already exists" as done: names are deterministic per run, so
 * a rerun after a failure further on (UpdateEndpoint, say) finds the resources it made before.
 */
async function createUnlessExists(
  sageMaker: SageMakerClient,
  command: CreateModelCommand | CreateEndpointConfigCommand,
): Promise<void> {
  try {
    await sageMaker.send(command as CreateModelCommand);
  } catch (error) {
    const message = error instanceof Error ? error.message : '';
    if (!/already exist/i.test(message)) throw error;
  }
}

function variant(
  settings: RolloutSettings,
  name: string,
  modelName: string,
  weight: number,
): ProductionVariant {
  return {
    VariantName: name,
    ModelName: modelName,
    InitialInstanceCount: settings.instanceCount,
    InstanceType: settings.instanceType as ProductionVariant['InstanceType'],
    InitialVariantWeight: weight,
  };
}

async function championModel(
  clients: { sageMaker: SageMakerClient; s3: S3Client },
  settings: RolloutSettings,
  endpoint: EndpointState,
): Promise<{ modelName: string; metrics: ModelMetrics } | null> {
  const models = await variantModels(clients.sageMaker, endpoint.configName);
  const modelName = models.get(settings.championVariant);
  if (!modelName) return null;
  const model = await clients.sageMaker.send(new DescribeModelCommand({ ModelName: modelName }));
  const modelDataUrl = model.PrimaryContainer?.ModelDataUrl;
  if (!modelDataUrl) {
    throw new HandlerEventInvalidError(
      `champion model ${modelName} has no ModelDataUrl to find its report`,
    );
  }
  // The evaluate step writes report.json beside model.tar.gz.
  return {
    modelName,
    metrics: await readMetrics(clients.s3, modelDataUrl.replace(/[^/]+$/, 'report.json')),
  };
}

/** The model each variant of an endpoint config serves, by variant name. */
export async function variantModels(
  sageMaker: SageMakerClient,
  configName: string,
): Promise<Map<string, string>> {
  const config = await sageMaker.send(
    new DescribeEndpointConfigCommand({ EndpointConfigName: configName }),
  );
  return new Map(
    (config.ProductionVariants ?? []).map((entry) => [
      entry.VariantName ?? '',
      entry.ModelName ?? '',
    ]),
  );
}

async function readMetrics(s3: S3Client, uri: string): Promise<ModelMetrics> {
  const { bucket, key } = parseS3Uri(uri);
  return modelMetricsFromDocument(JSON.parse(await readObjectText(s3, bucket, key)), uri);
}

/**
 * `<base><suffix>` within SageMaker's 63 characters: the base is cut from the front, since job
 * names end with the window's hour that tells them apart.
 */
export function resourceName(base: string, suffix: string): string {
  const room = maximumNameLength - suffix.length;
  return `${base.slice(Math.max(0, base.length - room)).replace(/^[^A-Za-z0-9]+/, '')}${suffix}`;
}

function requireCandidateInput(input: CandidateReadyInput): void {
  for (const field of ['jobName', 'modelPackageArn', 'artifactUri'] as const) {
    if (typeof input[field] !== 'string' || input[field] === '') {
      throw new HandlerEventInvalidError(
        `candidate-ready input: ${field} is ${JSON.stringify(input[field])}, expected a non-empty string`,
      );
    }
  }
}
