import * as path from 'node:path';

import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

import { acknowledgeRule } from './private/nag';

import { GfrMetric } from '../lambdas/src/contract';
import { REPOSITORY_ROOT } from './inference-image';
import { logRetentionOf } from './private/log-retention';

/**
 * The handlers' runtime: the newest Node.js aws-cdk-lib knows (22 or later, as the handlers
 * require); cdk-nag's AwsSolutions-L1 asks for the latest of the family.
 */
export const HANDLER_RUNTIME = lambda.Runtime.NODEJS_24_X;

/**
 * The tsconfig esbuild bundles the handlers with, relative to the repository root: it maps
 * `@gfr/core` and `@gfr/core/dist/*` to the core's sources.
 */
const LAMBDA_TSCONFIG = 'lib/private/lambda-bundling.tsconfig.json';

/** Modules the Lambda runtime provides: the AWS SDK v3 stays out of the bundles. */
export const EXTERNAL_MODULES = ['@aws-sdk/*'];

/** Properties of {@link HandlerFunction}. */
export interface HandlerFunctionProps {
  /** Entry file relative to the repository root (one of `HandlerEntry`). */
  readonly entry: string;
  /** Powertools service name: log field `service` and metric dimension `service`. */
  readonly serviceName: string;
  readonly description: string;
  readonly environment: Readonly<Record<string, string>>;
  readonly timeout: Duration;
  /** @default 512 */
  readonly memorySize?: number;
  /**
   * Concurrent executions reserved (and so the most that run at once).
   * @default - unreserved
   */
  readonly reservedConcurrentExecutions?: number;
  readonly logRetentionDays: number;
}

/**
 * A gfr Lambda handler: `NodejsFunction` bundled by esbuild (never Docker) with the AWS SDK
 * external, Powertools logging and metrics configured by environment, an encrypted dead-letter
 * queue for failed asynchronous invocations (also the DLQ of the rules that target it), and
 * alarms on errors and on dead letters.
 */
export class HandlerFunction extends Construct {
  readonly function: nodejs.NodejsFunction;

  /** Events that failed every retry, from Lambda's async invocation or an EventBridge rule. */
  readonly deadLetterQueue: sqs.Queue;

  readonly errorsAlarm: cloudwatch.Alarm;

  readonly deadLettersAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: HandlerFunctionProps) {
    super(scope, id);

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetters', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    acknowledgeRule(
      this.deadLetterQueue,
      'AwsSolutions-SQS3',
      'This queue is itself the dead-letter queue of the handler and its rules.',
    );

    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: logRetentionOf(props.logRetentionDays),
      removalPolicy: RemovalPolicy.DESTROY,
    });

    this.function = new nodejs.NodejsFunction(this, 'Function', {
      entry: path.join(REPOSITORY_ROOT, props.entry),
      handler: 'handler',
      projectRoot: REPOSITORY_ROOT,
      depsLockFilePath: path.join(REPOSITORY_ROOT, 'package-lock.json'),
      runtime: HANDLER_RUNTIME,
      architecture: lambda.Architecture.X86_64,
      description: props.description,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      deadLetterQueue: this.deadLetterQueue,
      retryAttempts: 2,
      tracing: lambda.Tracing.ACTIVE,
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      environment: {
        POWERTOOLS_SERVICE_NAME: props.serviceName,
        POWERTOOLS_METRICS_NAMESPACE: GfrMetric.NAMESPACE,
        POWERTOOLS_LOG_LEVEL: 'INFO',
        NODE_OPTIONS: '--enable-source-maps',
        ...props.environment,
      },
      bundling: {
        // Local esbuild only: a missing esbuild fails the synth instead of reaching for Docker.
        forceDockerBundling: false,
        externalModules: EXTERNAL_MODULES,
        target: 'node22',
        format: nodejs.OutputFormat.CJS,
        minify: true,
        // Error class names are what Step Functions retries and catches on, and what logs show.
        keepNames: true,
        sourceMap: true,
        sourcesContent: false,
        // @gfr/core from its TypeScript sources (see the file): no build before a synth.
        tsconfig: path.join(REPOSITORY_ROOT, LAMBDA_TSCONFIG),
      },
    });

    this.errorsAlarm = this.function
      .metricErrors({ period: Duration.minutes(5), statistic: 'Sum' })
      .createAlarm(this, 'ErrorsAlarm', {
        alarmDescription: `${props.serviceName} failed at least once in 5 minutes`,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    this.deadLettersAlarm = this.deadLetterQueue
      .metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) })
      .createAlarm(this, 'DeadLettersAlarm', {
        alarmDescription: `${props.serviceName} has events that failed every retry`,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });

    acknowledgeRule(
      this.function,
      'AwsSolutions-IAM4',
      'AWSLambdaBasicExecutionRole only lets the function write its own logs; it is the managed ' +
        'policy AWS maintains for exactly that.',
      ['Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'],
    );
  }

  /** The function's role, to grant the handler what it calls. */
  get role(): iam.IRole {
    return this.function.role!;
  }
}
