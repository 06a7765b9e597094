import * as iam from 'aws-cdk-lib/aws-iam';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import { Construct } from 'constructs';

import { ArtifactStore, OFFLINE_STORE_PREFIX } from './artifact-store';
import { GfrNames } from './names';
import {
  FeatureGroupLayout,
  GLOBAL_LAYOUT,
  ITEMS_LAYOUT,
  USERS_LAYOUT,
} from './private/feature-definitions';

/** Properties of {@link OnlineFeatureStore}. */
export interface OnlineFeatureStoreProps {
  readonly names: GfrNames;
  /** The offline store lands under {@link OFFLINE_STORE_PREFIX} of its bucket. */
  readonly store: ArtifactStore;
}

/**
 * SageMaker Feature Store groups for users, items and the global record (the layout
 * `@gfr/client`'s `SageMakerFeatureStore` reads), each with an online store encrypted with the
 * stage's key and an offline store in the artifact bucket.
 */
export class OnlineFeatureStore extends Construct {
  /** The groups by entity; their names are what the client's options take. */
  readonly groups: Readonly<Record<'users' | 'items' | 'global', sagemaker.CfnFeatureGroup>>;

  /** The role Feature Store writes the offline store with. */
  readonly offlineStoreRole: iam.Role;

  constructor(scope: Construct, id: string, props: OnlineFeatureStoreProps) {
    super(scope, id);
    const { names, store } = props;

    this.offlineStoreRole = new iam.Role(this, 'OfflineStoreRole', {
      assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com'),
      description: 'Feature Store writes the offline store of the gfr feature groups',
    });
    store.grantWritePrefix(this.offlineStoreRole, OFFLINE_STORE_PREFIX);
    store.grantReadPrefix(this.offlineStoreRole, OFFLINE_STORE_PREFIX);
    this.offlineStoreRole.addToPolicy(
      new iam.PolicyStatement({
        actions: ['s3:GetBucketAcl'],
        resources: [store.bucket.bucketArn],
      }),
    );

    const group = (entity: 'users' | 'items' | 'global', layout: FeatureGroupLayout) => {
      const featureGroup = new sagemaker.CfnFeatureGroup(this, capitalize(entity), {
        featureGroupName: names.featureGroupName(entity),
        description: `gfr online features: ${entity}`,
        recordIdentifierFeatureName: layout.recordIdentifier,
        eventTimeFeatureName: layout.eventTime,
        featureDefinitions: Object.entries(layout.features).map(([featureName, featureType]) => ({
          featureName,
          featureType,
        })),
        // These two properties are untyped JSON in aws-cdk-lib: CloudFormation's names as-is.
        onlineStoreConfig: {
          EnableOnlineStore: true,
          SecurityConfig: { KmsKeyId: store.key.keyArn },
        },
        offlineStoreConfig: {
          S3StorageConfig: {
            S3Uri: store.bucket.s3UrlForObject(OFFLINE_STORE_PREFIX.slice(0, -1)),
            KmsKeyId: store.key.keyArn,
          },
          // No Glue table: the role would need Glue rights, and nothing of gfr queries it yet.
          DisableGlueTableCreation: true,
        },
        roleArn: this.offlineStoreRole.roleArn,
      });
      // Feature Store checks the role's access when the group is created.
      featureGroup.node.addDependency(this.offlineStoreRole);
      return featureGroup;
    };

    this.groups = {
      users: group('users', USERS_LAYOUT),
      items: group('items', ITEMS_LAYOUT),
      global: group('global', GLOBAL_LAYOUT),
    };
  }
}

function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}
