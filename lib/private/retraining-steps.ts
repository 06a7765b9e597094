/**
 * The Amazon States Language of the retraining chain's SageMaker steps. Every value that
 * varies per execution comes from the `RetrainExecutionInput` by JSONPath (`.$` keys).
 */
import { ImageCommand, ProcessingPath } from '../../lambdas/src/contract';
import { GfrConfig } from '../config';

/** Suffixes that name the processing jobs after the execution's `jobName`. */
export const JOB_NAME_SUFFIX = { TRAINING_SETS: '-sets', EVALUATE: '-eval' } as const;

/** Settings shared by the steps. */
export interface JobSettings {
  readonly roleArn: string;
  readonly imageUri: string;
  readonly xgboostImageUri: string;
  readonly keyArn: string;
  readonly training: GfrConfig['training'];
  readonly modelPackageGroupName: string;
  readonly endpointInstanceType: string;
  /** What the endpoint reads and answers. */
  readonly contentType: string;
}

type StateJson = Record<string, unknown>;

const SYNC_PROCESSING = 'arn:aws:states:::sagemaker:createProcessingJob.sync';
const SYNC_TRAINING = 'arn:aws:states:::sagemaker:createTrainingJob.sync';

/** The image's `process`: canonical tables under `canonicalDataUri` → training sets. */
export function trainingSetsJob(settings: JobSettings): StateJson {
  return processingJob(settings, {
    nameSuffix: JOB_NAME_SUFFIX.TRAINING_SETS,
    // `process --window <JSON> --shards <n>`, built by the retrain handler.
    argumentsPath: '$.processArguments',
    inputs: [processingInput('data', '$.canonicalDataUri', ProcessingPath.CANONICAL_INPUT)],
    output: {
      OutputName: 'training-sets',
      S3Output: {
        'S3Uri.$': '$.trainingSetsUri',
        LocalPath: ProcessingPath.TRAINING_SETS_OUTPUT,
        S3UploadMode: 'EndOfJob',
      },
    },
  });
}

/** The image's `evaluate`: training output and training sets → model.tar.gz and report.json. */
export function evaluateJob(settings: JobSettings): StateJson {
  return processingJob(settings, {
    nameSuffix: JOB_NAME_SUFFIX.EVALUATE,
    arguments: [ImageCommand.EVALUATE],
    inputs: [
      processingInput('model', '$.training.modelArtifactUri', ProcessingPath.MODEL_INPUT),
      processingInput('training-sets', '$.trainingSetsUri', ProcessingPath.TRAINING_SETS_INPUT),
    ],
    output: {
      OutputName: 'artifact',
      S3Output: {
        'S3Uri.$': '$.artifactUri',
        LocalPath: ProcessingPath.ARTIFACT_OUTPUT,
        S3UploadMode: 'EndOfJob',
      },
    },
  });
}

/**
 * The training job, named exactly `jobName`: gfr's trainer (the image's `train`, one
 * instance, the `gfr/` training sets) or built-in XGBoost (several instances, each reading its
 * share of the `xgboost/train/` and `xgboost/validation/` shards).
 */
export function trainingJob(settings: JobSettings, trainer: 'gfr' | 'xgboost'): StateJson {
  const { training } = settings;
  const xgboost = trainer === 'xgboost';
  return {
    Type: 'Task',
    Resource: SYNC_TRAINING,
    Parameters: {
      'TrainingJobName.$': '$.jobName',
      RoleArn: settings.roleArn,
      AlgorithmSpecification: {
        TrainingImage: xgboost ? settings.xgboostImageUri : settings.imageUri,
        TrainingInputMode: 'File',
      },
      'HyperParameters.$': '$.hyperparameters',
      InputDataConfig: xgboost
        ? [
            channel('train', '$.trainingChannelUris.xgboostTrain', training.xgboostContentType),
            channel(
              'validation',
              '$.trainingChannelUris.xgboostValidation',
              training.xgboostContentType,
            ),
          ]
        : [channel('train', '$.trainingChannelUris.gfr')],
      OutputDataConfig: { 'S3OutputPath.$': '$.trainingOutputUri', KmsKeyId: settings.keyArn },
      ResourceConfig: {
        ...(xgboost ? { 'InstanceCount.$': '$.trainingInstanceCount' } : { InstanceCount: 1 }),
        'InstanceType.$': '$.trainingInstanceType',
        VolumeSizeInGB: training.volumeSizeGb,
        VolumeKmsKeyId: settings.keyArn,
      },
      StoppingCondition: { MaxRuntimeInSeconds: training.maxRuntimeSeconds },
      EnableNetworkIsolation: true,
    },
    ResultSelector: { 'modelArtifactUri.$': '$.ModelArtifacts.S3ModelArtifacts' },
    ResultPath: '$.training',
  };
}

/** Registers the evaluated artifact as a version of the group, pending manual approval. */
export function registerCandidate(settings: JobSettings): StateJson {
  return {
    Type: 'Task',
    Resource: 'arn:aws:states:::aws-sdk:sagemaker:createModelPackage',
    Parameters: {
      ModelPackageGroupName: settings.modelPackageGroupName,
      ModelApprovalStatus: 'PendingManualApproval',
      'ModelPackageDescription.$': "States.Format('gfr retraining job {}', $.jobName)",
      InferenceSpecification: {
        Containers: [
          {
            Image: settings.imageUri,
            'ModelDataUrl.$': "States.Format('{}model.tar.gz', $.artifactUri)",
          },
        ],
        SupportedContentTypes: [settings.contentType],
        SupportedResponseMIMETypes: [settings.contentType],
        SupportedRealtimeInferenceInstanceTypes: [settings.endpointInstanceType],
      },
      ModelMetrics: {
        ModelQuality: {
          Statistics: {
            ContentType: 'application/json',
            'S3Uri.$': "States.Format('{}report.json', $.artifactUri)",
          },
        },
      },
      CustomerMetadataProperties: { 'jobName.$': '$.jobName', 'trainer.$': '$.trainer' },
    },
    ResultSelector: { 'modelPackageArn.$': '$.ModelPackageArn' },
    ResultPath: '$.registration',
  };
}

interface ProcessingStep {
  readonly nameSuffix: string;
  /** Literal container arguments, or the JSONPath of an array of them. */
  readonly arguments?: readonly string[];
  readonly argumentsPath?: string;
  readonly inputs: readonly StateJson[];
  readonly output: StateJson;
}

function processingJob(settings: JobSettings, step: ProcessingStep): StateJson {
  const { training } = settings;
  return {
    Type: 'Task',
    Resource: SYNC_PROCESSING,
    Parameters: {
      'ProcessingJobName.$': `States.Format('{}${step.nameSuffix}', $.jobName)`,
      RoleArn: settings.roleArn,
      AppSpecification: {
        ImageUri: settings.imageUri,
        ...(step.argumentsPath
          ? { 'ContainerArguments.$': step.argumentsPath }
          : { ContainerArguments: step.arguments }),
      },
      ProcessingInputs: step.inputs,
      ProcessingOutputConfig: { Outputs: [step.output], KmsKeyId: settings.keyArn },
      ProcessingResources: {
        ClusterConfig: {
          InstanceCount: 1,
          InstanceType: training.processingInstanceType,
          VolumeSizeInGB: training.volumeSizeGb,
          VolumeKmsKeyId: settings.keyArn,
        },
      },
      StoppingCondition: { MaxRuntimeInSeconds: training.maxRuntimeSeconds },
      NetworkConfig: { EnableNetworkIsolation: true },
    },
    ResultPath: null,
  };
}

function processingInput(name: string, uriPath: string, localPath: string): StateJson {
  return {
    InputName: name,
    S3Input: {
      'S3Uri.$': uriPath,
      LocalPath: localPath,
      S3DataType: 'S3Prefix',
      S3InputMode: 'File',
      S3DataDistributionType: 'FullyReplicated',
    },
  };
}

/**
 * A training channel. With a content type it is XGBoost's, sharded by key: each instance gets
 * its own files (validation too, so that no host is left without any).
 */
function channel(name: string, uriPath: string, contentType?: string): StateJson {
  return {
    ChannelName: name,
    ...(contentType ? { ContentType: contentType } : {}),
    DataSource: {
      S3DataSource: {
        S3DataType: 'S3Prefix',
        'S3Uri.$': uriPath,
        S3DataDistributionType: contentType ? 'ShardedByS3Key' : 'FullyReplicated',
      },
    },
  };
}
