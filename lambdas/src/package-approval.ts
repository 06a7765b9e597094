/**
 * A model package version approved by a person: SageMaker's model package state-change event
 * (our group, `Approved`) reaches the deploy handler, which rolls the version out as challenger
 * the way the candidate path does, but without the gate, since a person decided. It ignores the
 * gate's own approvals (their description starts with {@link GateVerdictPrefix.APPROVED}: the
 * retraining chain is already rolling them out), so the handler's writes cannot trigger it
 * again, and versions the endpoint already serves, so a repeated event changes nothing.
 */
import { createHash } from 'node:crypto';

import {
  DescribeModelCommand,
  DescribeModelPackageCommand,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { Logger } from '@gfr/core/dist/automation/lambda';

import {
  RolloutSettings,
  resourceName,
  serveAsChallenger,
  variantModels,
} from './candidate-rollout';
import { GateVerdictPrefix, SageMakerEvent } from './contract';
import { describeEndpoint, requireInService } from './endpoint-state';
import { HandlerEventInvalidError, ModelPackageUnservableError } from './errors';

/** SageMaker's model package state-change event, as EventBridge delivers it. */
export interface ModelPackageStateChangeEvent {
  source: typeof SageMakerEvent.SOURCE;
  'detail-type': typeof SageMakerEvent.MODEL_PACKAGE_STATE_CHANGE;
  detail: {
    ModelPackageGroupName?: string;
    ModelPackageVersion?: number;
    ModelPackageArn?: string;
    ModelApprovalStatus?: string;
  };
}

/** What an approval event led to: ignored with the reason, or a rollout started. */
export interface ApprovalOutcome {
  action: 'ignored' | 'updating';
  reasons: string[];
  /** The config the endpoint is being updated to (updating only). */
  endpointConfigName?: string;
}

/** The parts of a model package version the rollout reads. */
interface ApprovedPackage {
  arn: string;
  group: string;
  version: string;
  status: string;
  description: string;
  image: string | null;
  modelDataUrl: string;
}

/**
 * Handles one model package state change: ignores other groups, other statuses, the gate's own
 * approvals and versions the endpoint serves (as champion or challenger); otherwise refuses
 * (retryably) unless the endpoint is `InService`, then serves the version as challenger beside
 * the champion, blue/green with the rollback alarms. Nothing is written before those checks.
 */
export async function rollOutApprovedPackage(
  sageMaker: SageMakerClient,
  settings: RolloutSettings,
  event: ModelPackageStateChangeEvent,
  modelPackageGroup: string,
  logger: Logger,
): Promise<ApprovalOutcome> {
  const detail = event.detail ?? {};
  const group = detail.ModelPackageGroupName;
  if (group !== modelPackageGroup) {
    return ignored(`model package group ${group}: not ours (${modelPackageGroup})`);
  }
  if (detail.ModelApprovalStatus !== 'Approved') {
    return ignored(`${describeVersion(detail)} is ${detail.ModelApprovalStatus}, not Approved`);
  }
  if (typeof detail.ModelPackageArn !== 'string' || detail.ModelPackageArn === '') {
    throw new HandlerEventInvalidError(
      `model package state change of ${group}: detail.ModelPackageArn is ` +
        `${JSON.stringify(detail.ModelPackageArn)}, expected the version's ARN`,
    );
  }

  // The event may be stale (events can repeat or arrive late): the package's state now decides.
  const approved = await describePackage(sageMaker, detail.ModelPackageArn);
  if (approved.status !== 'Approved') {
    return ignored(`${approved.arn} is now ${approved.status}: the approval was withdrawn`);
  }
  if (approved.group !== modelPackageGroup) {
    return ignored(`${approved.arn} belongs to ${approved.group}, not ${modelPackageGroup}`);
  }
  if (approved.description.startsWith(GateVerdictPrefix.APPROVED)) {
    return ignored(
      `${approved.arn} was approved by the gate (its description starts with ` +
        `"${GateVerdictPrefix.APPROVED}"): the retraining chain rolls it out`,
    );
  }

  const endpoint = await describeEndpoint(sageMaker, settings.endpointName);
  const served = await servedArtifacts(sageMaker, endpoint.configName);
  const serving = served.find((model) => model.modelDataUrl === approved.modelDataUrl);
  if (serving) {
    return ignored(
      `${approved.arn} is already served: the ${serving.variant} variant's model ` +
        `${serving.modelName} serves ${approved.modelDataUrl}`,
    );
  }
  requireInService(endpoint);

  const reasons = [`${approved.arn} was approved by a person: rolled out without the gate`];
  if (approved.image !== null && approved.image !== settings.imageUri) {
    reasons.push(
      `registered with image ${approved.image}; served with the stack's ${settings.imageUri}`,
    );
  }
  logger.info('manually approved model package rolls out as challenger; gate skipped', {
    model_package_arn: approved.arn,
    model_data_url: approved.modelDataUrl,
    endpoint_config: endpoint.configName,
    reasons,
  });

  const championModelName =
    served.find((model) => model.variant === settings.championVariant)?.modelName ?? null;
  const base = `${approved.group}-v${approved.version}`;
  // Names carry a digest of what they hold: a later approval of the same version, beside
  // another champion or with another image, must not reuse a config or model made earlier.
  const modelName = resourceName(`${base}-${digest(settings.imageUri, approved.modelDataUrl)}`, '');
  const endpointConfigName = resourceName(
    `${base}-${digest(
      modelName,
      championModelName ?? '',
      JSON.stringify([settings.challengerPercent, settings.instanceType, settings.instanceCount]),
    )}`,
    '-ab',
  );
  await serveAsChallenger(sageMaker, settings, {
    modelName,
    modelDataUrl: approved.modelDataUrl,
    championModelName,
    endpointConfigName,
  });
  return { action: 'updating', reasons, endpointConfigName };
}

async function describePackage(sageMaker: SageMakerClient, arn: string): Promise<ApprovedPackage> {
  const described = await sageMaker.send(
    new DescribeModelPackageCommand({ ModelPackageName: arn }),
  );
  const containers = described.InferenceSpecification?.Containers ?? [];
  const modelDataUrl = containers[0]?.ModelDataUrl;
  if (containers.length !== 1 || !modelDataUrl) {
    throw new ModelPackageUnservableError(
      arn,
      `it has ${containers.length} containers${modelDataUrl ? '' : ' and no ModelDataUrl'}; ` +
        'gfr serves exactly one model.tar.gz',
    );
  }
  return {
    arn,
    group: described.ModelPackageGroupName ?? '',
    version: String(described.ModelPackageVersion ?? arn.split('/').pop()),
    status: described.ModelApprovalStatus ?? 'Unknown',
    description: described.ApprovalDescription ?? '',
    image: containers[0].Image ?? null,
    modelDataUrl,
  };
}

/** The artifact every variant of the config serves (DescribeModel per variant). */
async function servedArtifacts(
  sageMaker: SageMakerClient,
  configName: string,
): Promise<{ variant: string; modelName: string; modelDataUrl: string | null }[]> {
  const models = await variantModels(sageMaker, configName);
  return Promise.all(
    [...models].map(async ([variant, modelName]) => {
      const model = await sageMaker.send(new DescribeModelCommand({ ModelName: modelName }));
      const container = model.PrimaryContainer ?? model.Containers?.[0];
      return { variant, modelName, modelDataUrl: container?.ModelDataUrl ?? null };
    }),
  );
}

function describeVersion(detail: ModelPackageStateChangeEvent['detail']): string {
  return detail.ModelPackageArn ?? `${detail.ModelPackageGroupName}/${detail.ModelPackageVersion}`;
}

/** Eight hex characters of SHA-256 over the parts: short enough for SageMaker's 63. */
function digest(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\n')).digest('hex').slice(0, 8);
}

function ignored(reason: string): ApprovalOutcome {
  return { action: 'ignored', reasons: [reason] };
}
