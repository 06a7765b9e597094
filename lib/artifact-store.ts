import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

import { acknowledgeRule } from './private/nag';

import { BucketPrefix } from '../lambdas/src/contract';

/** Key prefix of the Feature Store offline store, under the features prefix. */
export const OFFLINE_STORE_PREFIX = `${BucketPrefix.FEATURES}offline-store/`;

/** Properties of {@link ArtifactStore}. */
export interface ArtifactStoreProps {
  /** Keep the bucket and key when the stack is deleted or the resource replaced. */
  readonly retainData: boolean;
  /** Days after which capture files expire. */
  readonly captureDays: number;
  /** Days after which training sets (processing output) expire. */
  readonly trainingSetDays: number;
  /** Days after which overwritten or deleted object versions expire. */
  readonly noncurrentVersionDays: number;
}

/**
 * The artifact bucket of one stage and its KMS key: canonical data, training sets, models,
 * captures and reports under the prefixes of {@link BucketPrefix}. Versioned, encrypted with a
 * rotating customer key, public access blocked, TLS enforced, access logged to a second bucket.
 */
export class ArtifactStore extends Construct {
  /** Encrypts the bucket, the endpoint's volumes, captures and the feature store. */
  readonly key: kms.Key;

  readonly bucket: s3.Bucket;

  /** Server access logs of {@link bucket}. */
  readonly accessLogBucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: ArtifactStoreProps) {
    super(scope, id);
    // Access log delivery is granted by bucket policy, not by the deprecated LogDeliveryWrite
    // ACL, whatever the app's flags say (set before any child exists, so it applies to all).
    this.node.setContext('@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy', true);
    const removalPolicy = props.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    this.key = new kms.Key(this, 'Key', {
      description: 'gfr artifact bucket, endpoint volumes, data capture and feature store',
      enableKeyRotation: true,
      removalPolicy,
    });

    // Server access logs cannot be delivered to a bucket encrypted with a customer key.
    this.accessLogBucket = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ expiration: Duration.days(365) }],
      removalPolicy,
    });
    acknowledgeRule(
      this.accessLogBucket,
      'AwsSolutions-S1',
      'This bucket is the access log destination; logging it into itself would loop.',
    );

    this.bucket = new s3.Bucket(this, 'Bucket', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.key,
      bucketKeyEnabled: true,
      versioned: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.accessLogBucket,
      serverAccessLogsPrefix: 'artifact-bucket/',
      lifecycleRules: [
        {
          id: 'ExpireCaptures',
          prefix: BucketPrefix.CAPTURES,
          expiration: Duration.days(props.captureDays),
        },
        {
          id: 'ExpireTrainingSets',
          prefix: BucketPrefix.FEATURES,
          expiration: Duration.days(props.trainingSetDays),
        },
        {
          id: 'ExpireOldVersions',
          noncurrentVersionExpiration: Duration.days(props.noncurrentVersionDays),
          abortIncompleteMultipartUploadAfter: Duration.days(7),
        },
      ],
      removalPolicy,
    });
  }

  /** ARN pattern of the objects under one prefix, e.g. `arn:…:bucket/captures/*`. */
  objectsArn(prefix: string): string {
    return this.bucket.arnForObjects(`${prefix}*`);
  }

  /**
   * Lets `grantee` read the objects under `prefix` and list that prefix (nothing else of the
   * bucket), decrypting with the key.
   */
  grantReadPrefix(grantee: iam.IGrantable, prefix: string): void {
    iam.Grant.addToPrincipal({
      grantee,
      actions: ['s3:GetObject', 's3:GetObjectVersion'],
      resourceArns: [this.objectsArn(prefix)],
    });
    this.grantListPrefix(grantee, prefix);
    this.key.grantDecrypt(grantee);
  }

  /** Lets `grantee` write objects under `prefix` only, encrypting with the key. */
  grantWritePrefix(grantee: iam.IGrantable, prefix: string): void {
    iam.Grant.addToPrincipal({
      grantee,
      actions: ['s3:PutObject', 's3:AbortMultipartUpload'],
      resourceArns: [this.objectsArn(prefix)],
    });
    this.key.grant(grantee, 'kms:GenerateDataKey', 'kms:Encrypt');
  }

  /** Lets `grantee` list the keys under `prefix` (and locate the bucket). */
  grantListPrefix(grantee: iam.IGrantable, prefix: string): void {
    iam.Grant.addToPrincipal({
      grantee,
      actions: ['s3:ListBucket'],
      resourceArns: [this.bucket.bucketArn],
      conditions: { StringLike: { 's3:prefix': [`${prefix}*`] } },
    });
    iam.Grant.addToPrincipal({
      grantee,
      actions: ['s3:GetBucketLocation'],
      resourceArns: [this.bucket.bucketArn],
    });
  }
}
