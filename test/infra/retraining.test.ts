import {
  CandidateReadyInput,
  GfrMetric,
  ImageCommand,
  ProcessingPath,
  RetrainExecutionInput,
  SageMakerEvent,
} from '../../lambdas/src/contract';
import { XGBOOST_VERSION } from '../../lib/xgboost-image';
import { SynthesizedApp, removeOutput, resourcesOf, synthesizeApp } from './support/gfr-app';

type State = Record<string, unknown> & {
  Type: string;
  Parameters?: Record<string, unknown>;
  Catch?: { ErrorEquals: string[]; Next: string }[];
  Retry?: { ErrorEquals: string[] }[];
};

let synthesized: SynthesizedApp;
let states: Record<string, State>;
let startAt: string;

beforeAll(() => {
  synthesized = synthesizeApp({
    overrides: { region: 'eu-west-1', schedules: { driftCheck: 'rate(2 hours)' } },
  });
  const machines = resourcesOf(
    synthesized.templates.automation,
    'AWS::StepFunctions::StateMachine',
  );
  const definition = parseDefinition(Object.values(machines)[0].Properties.DefinitionString);
  states = definition.States;
  startAt = definition.StartAt;
});

afterAll(() => removeOutput(synthesized));

describe('RetrainingStateMachine', () => {
  it('builds training sets first with the process arguments of the input, on the contract’s paths', () => {
    expect(startAt).toBe('BuildTrainingSets');
    const step = states.BuildTrainingSets;
    expect(step.Resource).toBe('arn:aws:states:::sagemaker:createProcessingJob.sync');
    const parameters = step.Parameters!;
    expect(parameters['ProcessingJobName.$']).toBe("States.Format('{}-sets', $.jobName)");
    // `process --window <JSON> --shards <n>`: the retrain handler builds the arguments.
    const argumentsField: keyof RetrainExecutionInput = 'processArguments';
    expect(parameters.AppSpecification).toEqual({
      ImageUri: '<ref>',
      'ContainerArguments.$': `$.${argumentsField}`,
    });
    expect(JSON.stringify(parameters.ProcessingInputs)).toContain(ProcessingPath.CANONICAL_INPUT);
    expect(JSON.stringify(parameters.ProcessingOutputConfig)).toContain(
      ProcessingPath.TRAINING_SETS_OUTPUT,
    );
    expect(states[step.Next as string].Type).toBe('Choice');
  });

  it('trains with gfr on one instance or built-in XGBoost on several, sharded by key', () => {
    const gfr = states.TrainGfr.Parameters!;
    const xgboost = states.TrainXgboost.Parameters!;
    expect(gfr['TrainingJobName.$']).toBe('$.jobName');
    expect((gfr.ResourceConfig as Record<string, unknown>).InstanceCount).toBe(1);
    expect((xgboost.ResourceConfig as Record<string, unknown>)['InstanceCount.$']).toBe(
      '$.trainingInstanceCount',
    );
    const channels = (parameters: Record<string, unknown>) =>
      (parameters.InputDataConfig as Record<string, unknown>[]).map((channel) => {
        const source = (channel.DataSource as { S3DataSource: Record<string, string> })
          .S3DataSource;
        return [
          channel.ChannelName,
          source['S3Uri.$'],
          source.S3DataDistributionType,
          channel.ContentType,
        ];
      });
    const uris: keyof RetrainExecutionInput = 'trainingChannelUris';
    expect(channels(gfr)).toEqual([['train', `$.${uris}.gfr`, 'FullyReplicated', undefined]]);
    expect(channels(xgboost)).toEqual([
      ['train', `$.${uris}.xgboostTrain`, 'ShardedByS3Key', 'application/x-parquet'],
      ['validation', `$.${uris}.xgboostValidation`, 'ShardedByS3Key', 'application/x-parquet'],
    ]);
    expect((xgboost.AlgorithmSpecification as { TrainingImage: string }).TrainingImage).toBe(
      `141502667606.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-xgboost:${XGBOOST_VERSION}`,
    );
    expect(states.TrainGfr.Next).toBe('Evaluate');
    expect(states.TrainXgboost.Next).toBe('Evaluate');
  });

  it('evaluates the training output into the artifact prefix, then registers it pending approval', () => {
    const evaluate = states.Evaluate.Parameters!;
    expect(
      (evaluate.AppSpecification as { ContainerArguments: string[] }).ContainerArguments,
    ).toEqual([ImageCommand.EVALUATE]);
    const inputs = JSON.stringify(evaluate.ProcessingInputs);
    expect(inputs).toContain(ProcessingPath.MODEL_INPUT);
    expect(inputs).toContain('$.training.modelArtifactUri');
    expect(inputs).toContain(ProcessingPath.TRAINING_SETS_INPUT);
    expect(JSON.stringify(evaluate.ProcessingOutputConfig)).toContain(
      ProcessingPath.ARTIFACT_OUTPUT,
    );

    const register = states.RegisterCandidate;
    expect(register.Resource).toBe('arn:aws:states:::aws-sdk:sagemaker:createModelPackage');
    expect(register.Parameters!.ModelApprovalStatus).toBe('PendingManualApproval');
    expect(register.Parameters!.ModelPackageGroupName).toBe('gfr-test-ranker');
  });

  it('hands the deploy handler exactly a CandidateReadyInput, then follows the rollout', () => {
    // The handler's response is the result (payloadResponseOnly): Parameters are the payload.
    const payload = states.NotifyDeploy.Parameters!;
    const fields: (keyof CandidateReadyInput)[] = [
      'kind',
      'jobName',
      'modelPackageArn',
      'artifactUri',
    ];
    expect(
      Object.keys(payload)
        .map((key) => key.replace(/\.\$$/, ''))
        .sort(),
    ).toEqual([...fields].sort());
    expect(payload.kind).toBe('candidate-ready');

    expect(states[states.NotifyDeploy.Next as string].Type).toBe('Choice');
    const check = states.CheckRollout;
    expect(check.Parameters!.kind).toBe('check-update');
    expect(check.Retry!.map((retry) => retry.ErrorEquals).flat()).toContain(
      'EndpointNotReadyError',
    );
    expect(check.Catch![0].ErrorEquals).toEqual(['EndpointUpdateRolledBackError']);
  });

  it('records RetrainFailed and fails when a step fails (training failures count from their event)', () => {
    const tasks = Object.entries(states).filter(
      ([, state]) => state.Type === 'Task' && state.Catch,
    );
    expect(tasks.map(([name]) => name).sort()).toEqual([
      'BuildTrainingSets',
      'CheckRollout',
      'Evaluate',
      'NotifyDeploy',
      'RegisterCandidate',
      'TrainGfr',
      'TrainXgboost',
    ]);
    for (const [name, state] of tasks) {
      const catchAll = state.Catch!.find((each) => each.ErrorEquals.includes('States.ALL'))!;
      expect(catchAll.Next).toBe(name.startsWith('Train') ? 'Failed' : 'RecordFailure');
    }
    const record = states.RecordFailure.Parameters!;
    expect(record.Namespace).toBe(GfrMetric.NAMESPACE);
    expect(JSON.stringify(record.MetricData)).toContain(
      `"MetricName":"${GfrMetric.RETRAIN_FAILED}"`,
    );
    expect(states.RecordFailure.Next).toBe('Failed');
  });

  it('may register candidates only as pending approval', () => {
    const statements = Object.values(
      resourcesOf(synthesized.templates.automation, 'AWS::IAM::Policy'),
    )
      .flatMap(
        (policy) =>
          (policy.Properties.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement,
      )
      .filter((statement) => [statement.Action].flat().includes('sagemaker:CreateModelPackage'));
    expect(statements).toHaveLength(1);
    expect(statements[0].Condition).toEqual({
      StringEquals: { 'sagemaker:ModelApprovalStatus': 'PendingManualApproval' },
    });
  });
});

describe('AutomationStack events', () => {
  it('schedules drift checks and retrains from the config, and hears only our training jobs and approvals', () => {
    const rules = Object.values(resourcesOf(synthesized.templates.automation, 'AWS::Events::Rule'));
    const schedules = rules
      .map((rule) => rule.Properties.ScheduleExpression)
      .filter(Boolean)
      .sort();
    expect(schedules).toEqual(['rate(1 day)', 'rate(2 hours)']);

    const training = rules.find((rule) =>
      JSON.stringify(rule.Properties.EventPattern ?? {}).includes('Training Job State Change'),
    )!;
    expect((training.Properties.EventPattern as { detail: unknown }).detail).toEqual({
      TrainingJobName: [{ prefix: 'gfr-test-ranker' }],
      TrainingJobStatus: ['Completed', 'Failed', 'Stopped'],
    });
    const approvals = rules.filter((rule) =>
      JSON.stringify(rule.Properties.EventPattern ?? {}).includes(
        SageMakerEvent.MODEL_PACKAGE_STATE_CHANGE,
      ),
    );
    expect(approvals).toHaveLength(1);
    expect(approvals[0].Properties.EventPattern).toEqual({
      source: [SageMakerEvent.SOURCE],
      'detail-type': [SageMakerEvent.MODEL_PACKAGE_STATE_CHANGE],
      detail: { ModelPackageGroupName: ['gfr-test-ranker'], ModelApprovalStatus: ['Approved'] },
    });
    // Both SageMaker rules reach the deploy handler, the only one that reads model packages.
    expect(
      new Set(
        [training, approvals[0]].map((rule) =>
          JSON.stringify((rule.Properties.Targets as { Arn: unknown }[])[0].Arn),
        ),
      ).size,
    ).toBe(1);
    for (const rule of rules) {
      for (const target of rule.Properties.Targets as Record<string, unknown>[]) {
        expect(target.DeadLetterConfig).toBeDefined();
        expect(target.RetryPolicy).toEqual({
          MaximumEventAgeInSeconds: 7200,
          MaximumRetryAttempts: 2,
        });
      }
    }
  });
});

/** The state machine definition, with every CloudFormation reference replaced by `<ref>`. */
function parseDefinition(definition: unknown): { StartAt: string; States: Record<string, State> } {
  const join = (definition as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  const text = join
    ? join[1].map((part) => (typeof part === 'string' ? part : '<ref>')).join(join[0])
    : (definition as string);
  return JSON.parse(text);
}
