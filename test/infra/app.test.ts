import * as fs from 'node:fs';
import * as path from 'node:path';

import { AwsSolutionsChecks } from 'cdk-nag';

import { DriftEvent, HandlerEnvironment, SageMakerEvent } from '../../lambdas/src/contract';
import { HANDLER_RUNTIME } from '../../lib/handler-function';
import { SynthesizedApp, removeOutput, resourcesOf, synthesizeApp } from './support/gfr-app';

let synthesized: SynthesizedApp;

beforeAll(() => {
  // With CloudFormation's schema validation: a template it refuses fails the synthesis.
  synthesized = synthesizeApp({ validateTemplates: true });
});

afterAll(() => removeOutput(synthesized));

const allTemplates = () => Object.values(synthesized.templates);

const MODEL_PACKAGE_EVENT = `${SageMakerEvent.SOURCE}/${SageMakerEvent.MODEL_PACKAGE_STATE_CHANGE}`;

/** Actions that would emit each rule's event, by the rule's event source and detail type. */
const EMITTING_ACTIONS: Record<string, string[]> = {
  [`${DriftEvent.SOURCE}/${DriftEvent.DETAIL_TYPE}`]: ['events:PutEvents'],
  [`${SageMakerEvent.SOURCE}/${SageMakerEvent.TRAINING_JOB_STATE_CHANGE}`]: [
    'sagemaker:CreateTrainingJob',
    'sagemaker:StopTrainingJob',
  ],
  [MODEL_PACKAGE_EVENT]: ['sagemaker:CreateModelPackage', 'sagemaker:UpdateModelPackage'],
};

/**
 * Emitting actions a rule's target may hold because its writes are marked and the handler
 * ignores marked events: the gate approves with `GateVerdictPrefix.APPROVED`, and
 * lambdas/test/package-approval.test.ts ("the gate's own approval is a no-op") proves such an
 * approval reads no endpoint and sends no SageMaker write.
 */
const MARKED_WRITES: Record<string, string[]> = {
  [MODEL_PACKAGE_EVENT]: ['sagemaker:UpdateModelPackage'],
};

describe('the gfr app', () => {
  it('synthesizes every stack into one assembly without cross-stack cycles (P15)', () => {
    const assembly = synthesized.app.synth();
    expect(assembly.stacks.map((stack) => stack.stackName).sort()).toEqual([
      'Gfr-Test-Automation',
      'Gfr-Test-Data',
      'Gfr-Test-Endpoint',
      'Gfr-Test-Observability',
    ]);
    // Dependencies only point down data → endpoint → automation → observability.
    const dependencies = Object.fromEntries(
      assembly.stacks.map((stack) => [
        stack.stackName,
        stack.dependencies
          .map((each) => each.id)
          .filter((id) => !id.endsWith('.assets'))
          .sort(),
      ]),
    );
    expect(dependencies['Gfr-Test-Data']).toEqual([]);
    expect(dependencies['Gfr-Test-Endpoint']).toEqual(['Gfr-Test-Data']);
    expect(dependencies['Gfr-Test-Automation']).toEqual(['Gfr-Test-Data', 'Gfr-Test-Endpoint']);
  });

  it('attaches no *FullAccess managed policy anywhere', () => {
    for (const template of allTemplates()) {
      expect(JSON.stringify(template.toJSON())).not.toMatch(/FullAccess/);
    }
  });

  it('passes cdk-nag AwsSolutions with no unacknowledged error', () => {
    const report = new AwsSolutionsChecks(synthesized.app).validateScope(synthesized.app);
    const errors = report.violations
      .filter((violation) => violation.severity === 'error')
      .map(
        (violation) =>
          `${violation.ruleName} at ${violation.violatingResources.map((each) => each.constructPath).join(', ')}`,
      );
    expect(errors).toEqual([]);
  });

  it('builds the image for linux/amd64 from only what the Dockerfile reads (P10)', () => {
    const assets = JSON.parse(
      fs.readFileSync(path.join(synthesized.outdir, 'Gfr-Test-Endpoint.assets.json'), 'utf8'),
    ) as {
      dockerImages: Record<
        string,
        { source: { directory: string; platform?: string; dockerFile?: string } }
      >;
    };
    const images = Object.values(assets.dockerImages);
    expect(images).toHaveLength(1);
    expect(images[0].source.platform).toBe('linux/amd64');
    expect(images[0].source.dockerFile).toBe('inference-image/Dockerfile');

    const staged = path.join(synthesized.outdir, images[0].source.directory);
    const files = listFiles(staged);
    expect(files).toContain('inference-image/Dockerfile');
    expect(files).toContain('package-lock.json');
    expect(files.some((file) => file.startsWith('packages/core/src/'))).toBe(true);
    expect(
      files.filter((file) => /(^|\/)(node_modules|dist|\.git|cdk\.out|gfr-out)\//.test(file)),
    ).toEqual([]);
    expect(files.filter((file) => file.endsWith('.test.ts'))).toEqual([]);
  });

  it('never lets a handler emit the event that triggers it (P14)', () => {
    const automation = synthesized.templates.automation;
    const functions = resourcesOf(automation, 'AWS::Lambda::Function');
    const policies = Object.values(resourcesOf(automation, 'AWS::IAM::Policy'));
    const rules = Object.values(resourcesOf(automation, 'AWS::Events::Rule'));
    expect(rules).toHaveLength(5);

    for (const rule of rules) {
      const pattern = rule.Properties.EventPattern as
        | { source?: string[]; 'detail-type'?: string[]; detail?: Record<string, unknown> }
        | undefined;
      const event = pattern ? `${pattern.source![0]}/${pattern['detail-type']![0]}` : '';
      const marked = MARKED_WRITES[event] ?? [];
      const emitting = pattern ? EMITTING_ACTIONS[event] : []; // schedules
      expect(emitting).toBeDefined();
      if (event === MODEL_PACKAGE_EVENT) {
        // Only approvals arrive: registration (pending) and the gate's rejections never match,
        // and the approvals the deploy handler writes itself are marked and ignored.
        expect(pattern!.detail).toEqual({
          ModelPackageGroupName: ['gfr-test-ranker'],
          ModelApprovalStatus: ['Approved'],
        });
      }

      for (const target of rule.Properties.Targets as {
        Arn: { 'Fn::GetAtt': [string, string] };
      }[]) {
        const functionId = target.Arn['Fn::GetAtt'][0];
        const roleId = (functions[functionId].Properties.Role as { 'Fn::GetAtt': [string] })[
          'Fn::GetAtt'
        ][0];
        const allowed = policies
          .filter((policy) => JSON.stringify(policy.Properties.Roles).includes(roleId))
          .flatMap(
            (policy) =>
              (policy.Properties.PolicyDocument as { Statement: { Action: string | string[] }[] })
                .Statement,
          )
          .flatMap((statement) => [statement.Action].flat());
        for (const action of emitting.filter((each) => !marked.includes(each))) {
          expect(allowed).not.toContain(action);
        }
      }
    }
  });

  it('has no S3 notification that could trigger a handler with its own writes (P14)', () => {
    for (const template of allTemplates()) {
      const json = JSON.stringify(template.toJSON());
      expect(json).not.toContain('NotificationConfiguration');
      expect(json).not.toContain('Custom::S3BucketNotifications');
    }
  });

  it('limits iam:PassRole to SageMaker roles, passed to SageMaker only (P16)', () => {
    const automation = synthesized.templates.automation.toJSON();
    const passRoles = Object.values(
      automation.Resources as Record<
        string,
        { Type: string; Properties: { PolicyDocument?: { Statement: Record<string, unknown>[] } } }
      >,
    )
      .filter((resource) => resource.Type === 'AWS::IAM::Policy')
      .flatMap((resource) => resource.Properties.PolicyDocument!.Statement)
      .filter((statement) => [statement.Action].flat().includes('iam:PassRole'));
    expect(passRoles.length).toBeGreaterThanOrEqual(2);
    for (const statement of passRoles) {
      expect(statement.Resource).not.toBe('*');
      expect(statement.Condition).toEqual({
        StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' },
      });
    }
    expect(JSON.stringify(automation)).not.toMatch(/"sagemaker:\*"/);
  });

  it('runs the handlers on Node 22 or later, with DLQs, reserved concurrency and every contract variable', () => {
    const functions = Object.values(
      resourcesOf(synthesized.templates.automation, 'AWS::Lambda::Function'),
    );
    expect(functions).toHaveLength(3);
    const reserved: number[] = [];
    const names = new Set<string>();
    for (const fn of functions) {
      expect(
        Number(/nodejs(\d+)/.exec(fn.Properties.Runtime as string)![1]),
      ).toBeGreaterThanOrEqual(22);
      expect(fn.Properties.Runtime).toBe(HANDLER_RUNTIME.name);
      expect(fn.Properties.DeadLetterConfig).toBeDefined();
      if (fn.Properties.ReservedConcurrentExecutions !== undefined) {
        reserved.push(fn.Properties.ReservedConcurrentExecutions as number);
      }
      const variables = (fn.Properties.Environment as { Variables: Record<string, unknown> })
        .Variables;
      expect(variables.POWERTOOLS_METRICS_NAMESPACE).toBe('gfr');
      Object.keys(variables).forEach((name) => names.add(name));
    }
    expect(reserved).toEqual([1, 1]);
    for (const name of Object.values(HandlerEnvironment)) expect(names).toContain(name);
    synthesized.templates.automation.resourceCountIs('AWS::SQS::Queue', 3);
    synthesized.templates.automation.allResourcesProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
    });
  });
});

function listFiles(root: string, prefix = ''): string[] {
  return fs.readdirSync(path.join(root, prefix), { withFileTypes: true }).flatMap((entry) => {
    const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
    return entry.isDirectory() ? listFiles(root, relative) : [relative];
  });
}
