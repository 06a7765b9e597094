import { Match } from 'aws-cdk-lib/assertions';

import {
  coldStartItem,
  coldStartUser,
  encodeGlobalRecord,
  encodeItemRecord,
  encodeUserRecord,
} from '@gfr/client';
import { BucketPrefix, GfrMetric } from '../../lambdas/src/contract';
import { VariantName } from '../../lib/names';
import { SynthesizedApp, removeOutput, resourcesOf, synthesizeApp } from './support/gfr-app';

let synthesized: SynthesizedApp;

beforeAll(() => {
  synthesized = synthesizeApp();
});

afterAll(() => removeOutput(synthesized));

describe('ArtifactStore', () => {
  it('versions and encrypts the bucket with the stage key, blocks public access and requires TLS', () => {
    const template = synthesized.templates.data;
    template.hasResourceProperties('AWS::S3::Bucket', {
      VersioningConfiguration: { Status: 'Enabled' },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          {
            BucketKeyEnabled: true,
            ServerSideEncryptionByDefault: {
              SSEAlgorithm: 'aws:kms',
              KMSMasterKeyID: Match.anyValue(),
            },
          },
        ],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'artifact-bucket/' }),
    });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 's3:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });

  it('expires old captures, training sets and object versions after the configured days', () => {
    const { retention } = synthesized.config;
    synthesized.templates.data.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({
            Prefix: BucketPrefix.CAPTURES,
            ExpirationInDays: retention.captureDays,
          }),
          Match.objectLike({
            Prefix: BucketPrefix.FEATURES,
            ExpirationInDays: retention.trainingSetDays,
          }),
          Match.objectLike({
            NoncurrentVersionExpiration: { NoncurrentDays: retention.noncurrentVersionDays },
          }),
        ]),
      },
    });
  });
});

describe('OnlineFeatureStore', () => {
  const definitions = (group: string) => {
    const groups = Object.values(
      resourcesOf(synthesized.templates.data, 'AWS::SageMaker::FeatureGroup'),
    );
    const found = groups.find((each) => each.Properties.FeatureGroupName === group)!;
    expect(found).toBeDefined();
    return {
      properties: found.Properties,
      types: Object.fromEntries(
        (found.Properties.FeatureDefinitions as { FeatureName: string; FeatureType: string }[]).map(
          (feature) => [feature.FeatureName, feature.FeatureType],
        ),
      ),
    };
  };

  /** Every feature a record of the client's codec writes is defined, with the matching type. */
  function expectDefined(
    group: string,
    record: { FeatureName?: string; ValueAsString?: string }[],
  ) {
    const { types } = definitions(group);
    for (const feature of record) {
      const numeric =
        feature.ValueAsString !== '' && Number.isFinite(Number(feature.ValueAsString));
      const expected =
        numeric && !/(_id|_time)$/.test(feature.FeatureName!) ? 'Fractional' : 'String';
      expect([feature.FeatureName, types[feature.FeatureName!]]).toEqual([
        feature.FeatureName,
        expected,
      ]);
    }
  }

  it('defines every feature the client writes to the users, items and global groups', () => {
    const time = '2026-12-01T00:00:00.000Z';
    const user = coldStartUser('u1');
    user.geo = 'DE';
    user.acquisition_channel = 'ads';
    user.aggregates.last_click_at = 1_700_000_000;
    user.categories = {
      shoes: { clicks: { count: 1, decayed: 0.5, updated_at: 1 }, purchases: 0 },
    };
    expectDefined('gfr-test-users', encodeUserRecord(user, ['i1'], time));

    const item = coldStartItem('i1');
    Object.assign(item, {
      category: 'shoes',
      brand: 'b',
      price: 9.5,
      rating: 4,
      discount: 0.1,
      created_at: 1,
    });
    item.aggregates.first_seen_at = 1;
    expectDefined('gfr-test-items', encodeItemRecord(item, time));

    const global = { impressions: 1, clicks: 1, purchases: 1, as_of: 1 };
    const lists = { popularity: ['i1'], recent: ['i1'], categoryTop: { shoes: ['i1'] } };
    expectDefined('gfr-test-global', encodeGlobalRecord('global', global, lists, time));
  });

  it('keeps the online store encrypted and the offline store under the features prefix', () => {
    const { properties } = definitions('gfr-test-users');
    expect(properties.RecordIdentifierFeatureName).toBe('user_id');
    expect(properties.EventTimeFeatureName).toBe('event_time');
    expect(properties.OnlineStoreConfig).toEqual({
      EnableOnlineStore: true,
      SecurityConfig: { KmsKeyId: expect.anything() },
    });
    const offline = JSON.stringify(properties.OfflineStoreConfig);
    expect(offline).toContain(`/${BucketPrefix.FEATURES}offline-store`);
  });

  it('registers the ranker’s model package group', () => {
    synthesized.templates.data.hasResourceProperties('AWS::SageMaker::ModelPackageGroup', {
      ModelPackageGroupName: 'gfr-test-ranker',
    });
  });
});

describe('ObservabilityStack', () => {
  it('charts every variant’s traffic, latency, errors, CPU and memory, and every gfr metric', () => {
    const dashboards = Object.values(
      resourcesOf(synthesized.templates.observability, 'AWS::CloudWatch::Dashboard'),
    );
    expect(dashboards).toHaveLength(1);
    const body = JSON.stringify(dashboards[0].Properties.DashboardBody);

    for (const metric of [
      'Invocations',
      'ModelLatency',
      'Invocation5XXErrors',
      'Invocation4XXErrors',
      'CPUUtilization',
      'MemoryUtilization',
    ]) {
      for (const variant of [VariantName.CHAMPION, VariantName.CHALLENGER]) {
        expect(body).toMatch(
          new RegExp(
            `${metric}\\\\",\\\\"EndpointName\\\\",\\\\"gfr-test-ranker\\\\",\\\\"VariantName\\\\",\\\\"${variant}`,
          ),
        );
      }
    }
    const metricNames = Object.entries(GfrMetric)
      .filter(([key]) => key !== 'NAMESPACE' && key !== 'ENDPOINT_DIMENSION')
      .map(([, name]) => name);
    for (const name of metricNames) expect(body).toContain(`MetricName=\\\\\\"${name}\\\\\\"`);
  });
});
