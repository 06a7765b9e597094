import { App, Aspects, Environment, Stack, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';

import { AutomationStack } from './automation-stack';
import { GfrConfig } from './config';
import { DataStack } from './data-stack';
import { EndpointStack } from './endpoint-stack';
import { GfrNames } from './names';
import { ObservabilityStack } from './observability-stack';
import { JustifiedWildcards } from './private/nag';

/**
 * Feature flags the stacks are written for, set on the app before any stack exists so that
 * `cdk synth` and the tests build the same templates whatever cdk.json holds.
 */
export const GFR_FEATURE_FLAGS: Readonly<Record<string, boolean | string>> = {
  // Access logs are granted by bucket policy, not by the deprecated LogDeliveryWrite ACL.
  '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy': true,
  '@aws-cdk/aws-iam:minimizePolicies': true,
  // Exports and imports, as today; a producer cannot drop a value a consumer still imports.
  '@aws-cdk/core:defaultCrossStackReferences': 'strong',
  // CloudFormation schema problems found at synth fail it instead of warning.
  '@aws-cdk/core:validateAgainstDefaultRules': true,
};

/** The stacks of one stage, in deployment order. */
export interface GfrStacks {
  readonly data: DataStack;
  readonly endpoint: EndpointStack;
  readonly automation: AutomationStack;
  readonly observability: ObservabilityStack;
}

/** Options of {@link addGfrStacks}. */
export interface GfrAppOptions {
  /**
   * Run cdk-nag's AwsSolutions pack over every stack (unsuppressed errors fail the synth).
   * @default true
   */
  readonly nag?: boolean;
}

/**
 * Adds the stage's four stacks to `app`: data (bucket, key, registry, feature store) →
 * endpoint (image, ranker) → automation (handlers, retraining, events) → observability
 * (dashboard). References only point down that order, so the app has no cycles.
 */
export function addGfrStacks(app: App, config: GfrConfig, options: GfrAppOptions = {}): GfrStacks {
  for (const [flag, value] of Object.entries(GFR_FEATURE_FLAGS)) app.node.setContext(flag, value);
  const names = new GfrNames(config.stage);
  const env: Environment | undefined =
    config.account || config.region
      ? { account: config.account, region: config.region }
      : undefined;
  const common = { env, terminationProtection: config.production };

  const data = new DataStack(app, names.stackName('Data'), {
    ...common,
    description: 'gfr: artifact bucket and key, model registry, online feature store',
    config,
    names,
  });
  const endpoint = new EndpointStack(app, names.stackName('Endpoint'), {
    ...common,
    description: 'gfr: inference image and the ranker endpoint with its variants',
    config,
    names,
    store: data.store,
  });
  const automation = new AutomationStack(app, names.stackName('Automation'), {
    ...common,
    description: 'gfr: retrain, deploy and drift-check handlers, retraining state machine',
    config,
    names,
    store: data.store,
    image: endpoint.image,
    endpoint: endpoint.ranker,
  });
  const observability = new ObservabilityStack(app, names.stackName('Observability'), {
    ...common,
    description: 'gfr: dashboard of the endpoint, drift, retraining and handlers',
    names,
    endpoint: endpoint.ranker,
    automation,
  });

  const stacks: Stack[] = [data, endpoint, automation, observability];
  for (const stack of stacks) {
    Tags.of(stack).add('project', 'gfr');
    Tags.of(stack).add('stage', config.stage);
  }
  Aspects.of(app).add(new JustifiedWildcards());
  if (options.nag ?? true)
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return { data, endpoint, automation, observability };
}
