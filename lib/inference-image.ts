import * as fs from 'node:fs';
import * as path from 'node:path';

import { IgnoreMode } from 'aws-cdk-lib';
import * as ecrAssets from 'aws-cdk-lib/aws-ecr-assets';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

import { GfrError } from '../packages/core/src/errors';
import { findRepositoryRoot } from './private/repository-root';

/** The repository root: the image's build context. */
export const REPOSITORY_ROOT = findRepositoryRoot();

/** The Dockerfile, relative to {@link REPOSITORY_ROOT}. */
export const DOCKERFILE = 'inference-image/Dockerfile';

/**
 * Paths never part of the image's context, whatever the image's own filter says: dependencies,
 * build output, version control, CDK output and local runs. They come last, so they win over
 * the filter's re-inclusions, and they keep hashing the root fast and deterministic.
 */
export const ALWAYS_EXCLUDED = [
  '**/node_modules',
  '**/dist',
  '**/*.tsbuildinfo',
  '.git',
  'cdk.out',
  'coverage',
  'gfr-out',
  'out',
  '.gfr',
] as const;

/** The Dockerfile's own context filter cannot be read. */
export class ImageContextFilterError extends GfrError {
  constructor(
    readonly file: string,
    options?: { cause?: unknown },
  ) {
    super('CDK_IMAGE_CONTEXT_FILTER', `cannot read the image's context filter ${file}`, options);
  }
}

/** Properties of {@link InferenceImage}. */
export interface InferenceImageProps {
  /**
   * The build context.
   * @default - the repository root
   */
  readonly directory?: string;
}

/**
 * gfr's SageMaker image (serve, train, process, evaluate) as a Docker image asset, built for
 * `linux/amd64` whatever the machine running `cdk deploy`: SageMaker's ml.c5/m5 instances are
 * x86, and an arm64 image would only fail its health check after minutes.
 *
 * The asset's files are the repository root filtered by `Dockerfile.dockerignore` (the filter
 * BuildKit applies for this Dockerfile), then by {@link ALWAYS_EXCLUDED}: the asset hash changes
 * exactly when what the build reads changes.
 */
export class InferenceImage extends Construct {
  /** Reads `<Dockerfile>.dockerignore` into exclude patterns (comments and blanks dropped). */
  static contextExcludes(directory: string = REPOSITORY_ROOT): string[] {
    const filterFile = path.join(directory, `${DOCKERFILE}.dockerignore`);
    let text: string;
    try {
      text = fs.readFileSync(filterFile, 'utf8');
    } catch (error) {
      throw new ImageContextFilterError(filterFile, { cause: error });
    }
    const filter = text
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#'));
    return [...filter, `!${DOCKERFILE}`, `!${DOCKERFILE}.dockerignore`, ...ALWAYS_EXCLUDED];
  }

  readonly asset: ecrAssets.DockerImageAsset;

  /** The image URI SageMaker models and jobs run. */
  readonly imageUri: string;

  constructor(scope: Construct, id: string, props: InferenceImageProps = {}) {
    super(scope, id);
    const directory = props.directory ?? REPOSITORY_ROOT;
    this.asset = new ecrAssets.DockerImageAsset(this, 'Asset', {
      directory,
      file: DOCKERFILE,
      platform: ecrAssets.Platform.LINUX_AMD64,
      ignoreMode: IgnoreMode.DOCKER,
      exclude: InferenceImage.contextExcludes(directory),
      displayName: 'gfr inference image',
    });
    this.imageUri = this.asset.imageUri;
  }

  /** Lets `grantee` pull the image (and get the registry token that pulling needs). */
  grantPull(grantee: iam.IGrantable): void {
    this.asset.repository.grantPull(grantee);
  }
}
