import { IAspect, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference';
import { IConstruct } from 'constructs';

import { BucketPrefix } from '../../lambdas/src/contract';

/**
 * Acknowledges a cdk-nag rule on `scope` and everything below it, with the sentence that
 * justifies it. With `findings`, only those findings of the rule are acknowledged (cdk-nag
 * reports rules such as AwsSolutions-IAM5 once per wildcard, as `Rule[finding]`).
 */
export function acknowledgeRule(
  scope: IConstruct,
  rule: string,
  reason: string,
  findings?: readonly string[],
): void {
  const ids = findings === undefined ? [rule] : findings.map((finding) => `${rule}[${finding}]`);
  Validations.of(scope).acknowledge(...ids.map((id) => ({ id, reason })));
}

/** One wildcard of an Allow statement, as cdk-nag's AwsSolutions-IAM5 reports it. */
interface Wildcard {
  /** `Action::…` or `Resource::…`, the finding's text. */
  readonly finding: string;
  readonly resource?: string;
  readonly actions: readonly string[];
}

/** A kind of wildcard gfr accepts, and the sentence that says why. */
interface Justification {
  readonly reason: string;
  readonly accepts: (wildcard: Wildcard) => boolean;
}

const prefixes = Object.values(BucketPrefix)
  .map((prefix) => prefix.replace(/\/$/, ''))
  .join('|');

/** Actions that have no resource-level permissions, so IAM only accepts `*` for them. */
const ACTIONS_WITHOUT_RESOURCES = new Set([
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
  'xray:GetSamplingRules',
  'xray:GetSamplingTargets',
  'ecr:GetAuthorizationToken',
  'cloudwatch:PutMetricData',
  'logs:CreateLogDelivery',
  'logs:GetLogDelivery',
  'logs:UpdateLogDelivery',
  'logs:DeleteLogDelivery',
  'logs:ListLogDeliveries',
  'logs:PutResourcePolicy',
  'logs:DescribeResourcePolicies',
  'logs:DescribeLogGroups',
]);

/** The wildcards gfr's policies may hold; anything else stays a cdk-nag error. */
export const WILDCARD_JUSTIFICATIONS: readonly Justification[] = [
  {
    reason: 'Object keys under one named prefix of the artifact bucket: the prefix is the scope.',
    accepts: (wildcard) =>
      new RegExp(`/(${prefixes})/([a-z-]+/)?\\*$`).test(wildcard.resource ?? ''),
  },
  {
    reason:
      "SageMaker resources whose names start with the stage's prefix, or versions of the " +
      "stage's model package group.",
    accepts: (wildcard) =>
      /:sagemaker:.*:(training-job|processing-job|model|endpoint-config)\/gfr-[a-z0-9]+\*$/.test(
        wildcard.resource ?? '',
      ) || /:model-package\/gfr-[a-z0-9]+-ranker\/\*$/.test(wildcard.resource ?? ''),
  },
  {
    reason:
      'Read-only Describe calls on models and endpoint configs, whose names CloudFormation ' +
      'generates.',
    accepts: (wildcard) =>
      /:sagemaker:.*:(model|endpoint-config)\/\*$/.test(wildcard.resource ?? '') &&
      wildcard.actions.every((action) => action.startsWith('sagemaker:Describe')),
  },
  {
    reason:
      'Actions without resource-level permissions (X-Ray, the registry token, log delivery, ' +
      'metric data limited by a namespace condition).',
    accepts: (wildcard) =>
      wildcard.resource === '*' &&
      wildcard.actions.every((action) => ACTIONS_WITHOUT_RESOURCES.has(action)),
  },
  {
    reason: "SageMaker's own log groups, where jobs and endpoints write.",
    accepts: (wildcard) => /:log-group:\/aws\/sagemaker\/\*$/.test(wildcard.resource ?? ''),
  },
  {
    reason: 'Versions and aliases of the one function the state machine invokes.',
    accepts: (wildcard) =>
      /^<[^>]+\.Arn>:\*$/.test(wildcard.resource ?? '') &&
      wildcard.actions.every((action) => action === 'lambda:InvokeFunction'),
  },
  {
    reason: "Executions of the stage's own retraining state machine.",
    accepts: (wildcard) =>
      /:execution:gfr-[a-z0-9]+-retraining:\*$/.test(wildcard.resource ?? '') &&
      wildcard.actions.every((action) => action.startsWith('states:')),
  },
];

/**
 * Acknowledges, on each IAM policy it visits, exactly the AwsSolutions-IAM5 findings that one
 * of {@link WILDCARD_JUSTIFICATIONS} accepts, with that justification's sentence. A wildcard no
 * justification accepts keeps failing cdk-nag.
 */
export class JustifiedWildcards implements IAspect {
  visit(node: IConstruct): void {
    if (!(node instanceof iam.CfnPolicy)) return;

    // Read the document once cross-stack references are resolved into imports (as cdk-nag
    // sees it): construct validations run after that step and before validation plugins.
    node.node.addValidation({
      validate: () => {
        acknowledgeJustifiedWildcards(node);
        return [];
      },
    });
  }
}

function acknowledgeJustifiedWildcards(policy: iam.CfnPolicy): void {
  const document = Stack.of(policy).resolve(policy.policyDocument) as {
    Statement?: { Effect: string; Action: string | string[]; Resource: unknown }[];
  };

  // A finding names a wildcard, not a statement: acknowledge it only when every statement
  // that produces it is justified.
  const reasons = new Map<string, string | undefined>();
  for (const statement of document.Statement ?? []) {
    if (statement.Effect !== 'Allow') continue;
    for (const wildcard of wildcardsOf(statement)) {
      const justification = WILDCARD_JUSTIFICATIONS.find((each) => each.accepts(wildcard));
      const known = reasons.has(wildcard.finding);
      if (justification === undefined) reasons.set(wildcard.finding, undefined);
      else if (!known) reasons.set(wildcard.finding, justification.reason);
    }
  }

  for (const [finding, reason] of reasons) {
    if (reason !== undefined) acknowledgeRule(policy, 'AwsSolutions-IAM5', reason, [finding]);
  }
}

function wildcardsOf(statement: { Action: string | string[]; Resource: unknown }): Wildcard[] {
  const actions = ([] as string[]).concat(statement.Action);
  const resources = ([] as unknown[]).concat(statement.Resource).map(flattenCfnReference);
  return [
    ...actions
      .filter((action) => action.includes('*'))
      .map((action) => ({ finding: `Action::${action}`, actions: [action] })),
    ...resources
      .filter((resource) => resource.includes('*'))
      .map((resource) => ({ finding: `Resource::${resource}`, resource, actions })),
  ];
}
