import { Duration, Stack, StackProps } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';

import { GfrMetric } from '../lambdas/src/contract';
import { AutomationStack } from './automation-stack';
import { GfrNames } from './names';
import { RankerEndpoint } from './ranker-endpoint';

/** Properties of {@link ObservabilityStack}. */
export interface ObservabilityStackProps extends StackProps {
  readonly names: GfrNames;
  readonly endpoint: RankerEndpoint;
  readonly automation: AutomationStack;
}

const WIDTH = 12;

/**
 * The stage's CloudWatch dashboard: per variant invocations, latency, 4xx/5xx, CPU and memory;
 * drift metrics; retrain and deploy outcomes; the handlers' errors and every alarm.
 */
export class ObservabilityStack extends Stack {
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: ObservabilityStackProps) {
    super(scope, id, props);
    const { names, endpoint, automation } = props;
    const variants = endpoint.variants.map((variant) => variant.name);
    const perVariant = (
      metricName: string,
      statistic: string,
      namespace = 'AWS/SageMaker',
    ): cloudwatch.IMetric[] =>
      variants.map((variant) =>
        endpoint.metricVariant(variant, metricName, {
          statistic,
          label: variant,
          period: Duration.minutes(5),
          ...(namespace === 'AWS/SageMaker' ? {} : { namespace }),
        }),
      );
    const graph = (title: string, left: cloudwatch.IMetric[], right: cloudwatch.IMetric[] = []) =>
      new cloudwatch.GraphWidget({ title, left, right, width: WIDTH, height: 6 });

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: `${names.prefix}-ranker`,
      defaultInterval: Duration.days(1),
    });

    this.dashboard.addWidgets(
      graph('Invocations per variant', perVariant('Invocations', 'Sum')),
      graph('Model latency p50 / p99 (µs)', [
        ...perVariant('ModelLatency', 'p50'),
        ...perVariant('ModelLatency', 'p99'),
      ]),
    );
    this.dashboard.addWidgets(
      graph('5xx per variant', perVariant('Invocation5XXErrors', 'Sum')),
      graph('4xx per variant', perVariant('Invocation4XXErrors', 'Sum')),
    );
    this.dashboard.addWidgets(
      graph(
        'CPU % per variant',
        perVariant('CPUUtilization', 'Average', '/aws/sagemaker/Endpoints'),
      ),
      graph(
        'Memory % per variant',
        perVariant('MemoryUtilization', 'Average', '/aws/sagemaker/Endpoints'),
      ),
    );

    // The handlers publish with Powertools (dimension `service`, plus `Endpoint` for drift);
    // SEARCH finds each metric whatever its dimension set.
    const search = (metricName: string, statistic: string) =>
      new cloudwatch.MathExpression({
        expression: `SEARCH('{${GfrMetric.NAMESPACE}} MetricName="${metricName}"', '${statistic}', 3600)`,
        label: metricName,
        period: Duration.hours(1),
        usingMetrics: {},
      });
    this.dashboard.addWidgets(
      graph(
        'Drift: drifted features, max PSI and Jensen–Shannon',
        [search(GfrMetric.DRIFTED_FEATURES, 'Maximum')],
        [
          search(GfrMetric.MAX_FEATURE_PSI, 'Maximum'),
          search(GfrMetric.MAX_FEATURE_JENSEN_SHANNON, 'Maximum'),
        ],
      ),
      graph(
        'Drift: predicted CTR / CVR shift, captured records',
        [
          search(GfrMetric.PREDICTED_CTR_SHIFT, 'Maximum'),
          search(GfrMetric.PREDICTED_CVR_SHIFT, 'Maximum'),
        ],
        [
          search(GfrMetric.CAPTURED_RECORDS, 'Sum'),
          search(GfrMetric.MALFORMED_CAPTURE_LINES, 'Sum'),
        ],
      ),
    );
    this.dashboard.addWidgets(
      graph(
        'Retrain outcomes',
        [
          GfrMetric.RETRAIN_STARTED,
          GfrMetric.RETRAIN_SKIPPED,
          GfrMetric.RETRAIN_COMPLETED,
          GfrMetric.RETRAIN_FAILED,
        ].map((name) => search(name, 'Sum')),
        [search(GfrMetric.RETRAIN_TRAINING_SECONDS, 'Maximum')],
      ),
      graph(
        'Deploy outcomes',
        [
          GfrMetric.DEPLOY_ACCEPTED,
          GfrMetric.DEPLOY_MANUALLY_APPROVED,
          GfrMetric.DEPLOY_REJECTED,
          GfrMetric.DEPLOY_SUCCEEDED,
          GfrMetric.DEPLOY_ROLLED_BACK,
        ].map((name) => search(name, 'Sum')),
      ),
    );

    const handlers = [automation.retrain, automation.deploy, automation.driftCheck];
    const stateMachine = automation.retraining.stateMachine;
    this.dashboard.addWidgets(
      graph(
        'Handler errors; retraining executions failed',
        handlers.map((handler) =>
          handler.function.metricErrors({ period: Duration.minutes(5), label: handler.node.id }),
        ),
        [stateMachine.metricFailed({ period: Duration.hours(1) })],
      ),
      new cloudwatch.AlarmStatusWidget({
        title: 'Alarms',
        width: WIDTH,
        height: 6,
        alarms: [
          ...endpoint.variants.flatMap((variant) => variant.alarms),
          ...handlers.flatMap((handler) => [handler.errorsAlarm, handler.deadLettersAlarm]),
          automation.retraining.failedAlarm,
        ],
      }),
    );
  }
}
