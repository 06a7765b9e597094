/**
 * The drift-check handler: on its schedule, checks the last hours of the champion's Data Capture
 * for feature and prior drift, publishes the figures (embedded metric format) and emits a drift
 * event naming the drifted features, which the retrain rule matches.
 */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { S3Client } from '@aws-sdk/client-s3';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import {
  Logger,
  defaultDriftThresholds,
  defaultLogger,
  defaultPriorDriftSettings,
} from '@gfr/core/dist/automation/lambda';

import { HandlerSettings } from './config';
import { DriftCheckSettings, runDriftCheck } from './drift-check';
import { MetricsSink, handlerMetrics } from './metrics-sink';

/** What one check found. */
export interface DriftCheckOutcome {
  drifted: boolean;
  driftedFeatures: string[];
  driftedHeads: string[];
  requests: number;
  malformedCaptureLines: number;
  report: string;
}

/** What the handler needs besides the event; tests pass their own. */
export interface DriftCheckHandlerDependencies {
  env?: NodeJS.ProcessEnv;
  metrics?: MetricsSink;
  /** @default gfr's JSON logger */
  logger?: Logger;
  /** @default the invocation's time */
  now?: () => Date;
}

/** Builds the handler; {@link handler} is the one the stack deploys. */
export function createDriftCheckHandler(dependencies: DriftCheckHandlerDependencies = {}) {
  const clients = {
    s3: new S3Client({}),
    sageMaker: new SageMakerClient({}),
    eventBridge: new EventBridgeClient({}),
    metrics: dependencies.metrics ?? handlerMetrics('gfr-drift-check'),
  };
  const logger = (dependencies.logger ?? defaultLogger).child({ component: 'drift-check-handler' });

  // The event (a schedule) carries nothing the check needs.
  return async (_event: unknown): Promise<DriftCheckOutcome> => {
    const settings = driftCheckSettings(new HandlerSettings(dependencies.env ?? process.env));
    const result = await runDriftCheck(
      clients,
      settings,
      (dependencies.now ?? (() => new Date()))(),
    );
    const { report } = result;
    logger.info(report.drifted ? 'drift found' : 'no drift', {
      window: result.window,
      requests: report.requests,
      drifted_features: report.drifted_features,
      drifted_heads: report.prior.drifted_heads,
      malformed_capture_lines: report.malformed_capture_lines,
      report: result.reportUri,
    });
    return {
      drifted: report.drifted,
      driftedFeatures: report.drifted_features,
      driftedHeads: report.prior.drifted_heads,
      requests: report.requests,
      malformedCaptureLines: report.malformed_capture_lines,
      report: result.reportUri,
    };
  };
}

/** The deployed handler. */
export const handler = createDriftCheckHandler();

/** The drift-check settings from the stack's environment. */
export function driftCheckSettings(env: HandlerSettings): DriftCheckSettings {
  const bucket = env.text('ARTIFACT_BUCKET');
  const eventBus = env.optionalText('EVENT_BUS_NAME', '');
  const minimumRows = env.number('DRIFT_MIN_RECORDS', defaultDriftThresholds.minimumRows, 1);
  return {
    endpointName: env.text('ENDPOINT_NAME'),
    championVariant: env.optionalText('CHAMPION_VARIANT_NAME', 'champion'),
    captureS3Uri: env.optionalText('CAPTURE_S3_URI', `s3://${bucket}/captures`),
    reportBucket: bucket,
    windowHours: Math.ceil(env.number('DRIFT_WINDOW_HOURS', 6, 1, 24 * 14)),
    thresholds: {
      features: {
        psi: env.number('DRIFT_PSI_THRESHOLD', defaultDriftThresholds.psi, 0),
        jensenShannon: env.number('DRIFT_JS_THRESHOLD', defaultDriftThresholds.jensenShannon, 0, 1),
        minimumRows,
      },
      prior: { ...defaultPriorDriftSettings, minimumItems: minimumRows },
    },
    eventBusName: eventBus === '' ? null : eventBus,
  };
}
