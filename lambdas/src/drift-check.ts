/**
 * The drift check over S3: lists only the capture hour folders of the window, reads every
 * capture file (following pagination), checks features and priors against the champion's
 * artifact, publishes the figures as metrics and emits a drift event naming what drifted.
 */
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  DescribeEndpointConfigCommand,
  DescribeModelCommand,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import {
  CaptureDriftReport,
  CaptureDriftSettings,
  LoadedArtifact,
  addCaptureFile,
  captureHourPrefixes,
  checkCaptureDrift,
  emptyCaptureReadResult,
  loadArtifact,
} from '@gfr/core/dist/automation/lambda';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { parseS3Uri } from './config';
import { BucketPrefix, DriftEvent, GfrMetric } from './contract';
import { describeEndpoint } from './endpoint-state';
import { HandlerEventInvalidError } from './errors';
import { MetricUnit, MetricsSink } from './metrics-sink';
import { listAllObjects, readObjectBytes, readObjectText } from './s3-objects';

/** Settings of one drift check, from the stack's environment. */
export interface DriftCheckSettings {
  endpointName: string;
  championVariant: string;
  /** `s3://bucket/captures`: the endpoint's capture destination. */
  captureS3Uri: string;
  /** Where drift reports go (`reports/drift/...`). */
  reportBucket: string;
  windowHours: number;
  thresholds: CaptureDriftSettings;
  /** Null for the account's default bus. */
  eventBusName: string | null;
}

/** The clients a drift check uses. */
export interface DriftCheckClients {
  s3: S3Client;
  sageMaker: SageMakerClient;
  eventBridge: EventBridgeClient;
  metrics: MetricsSink;
}

/** What one check found and did. */
export interface DriftCheckResult {
  report: CaptureDriftReport;
  window: { start: string; end: string };
  prefixes: string[];
  reportUri: string;
  eventSent: boolean;
}

/** The champion's artifact, kept while the container is warm: it changes only on deploys. */
let cachedArtifact: { url: string; artifact: LoadedArtifact } | null = null;

/** Runs one drift check of the `windowHours` hours up to `now`. */
export async function runDriftCheck(
  clients: DriftCheckClients,
  settings: DriftCheckSettings,
  now: Date,
): Promise<DriftCheckResult> {
  const artifact = await championArtifact(clients, settings);
  const capture = parseS3Uri(settings.captureS3Uri);
  const prefixes = captureHourPrefixes(
    capture.key,
    settings.endpointName,
    settings.championVariant,
    now,
    settings.windowHours,
  );

  const captured = emptyCaptureReadResult();
  for (const prefix of prefixes) {
    const objects = await listAllObjects(clients.s3, capture.bucket, prefix);
    for (const object of objects.filter((entry) => entry.key.endsWith('.jsonl'))) {
      const text = await readObjectText(clients.s3, capture.bucket, object.key);
      addCaptureFile(captured, text, `s3://${capture.bucket}/${object.key}`);
    }
  }
  const report = checkCaptureDrift(artifact, captured, settings.thresholds);
  const window = {
    start: new Date(Date.parse(prefixStart(prefixes[0]))).toISOString(),
    end: now.toISOString(),
  };

  publishMetrics(clients.metrics, settings.endpointName, report);
  const reportKey =
    `${BucketPrefix.REPORTS}drift/${settings.endpointName}/` +
    `${now.toISOString().slice(0, 19).replace(/:/g, '-')}Z.json`;
  await clients.s3.send(
    new PutObjectCommand({
      Bucket: settings.reportBucket,
      Key: reportKey,
      Body: JSON.stringify({ window, prefixes, ...report }, null, 2),
      ContentType: 'application/json',
    }),
  );

  if (report.drifted) {
    await clients.eventBridge.send(
      new PutEventsCommand({
        Entries: [
          {
            Source: DriftEvent.SOURCE,
            DetailType: DriftEvent.DETAIL_TYPE,
            EventBusName: settings.eventBusName ?? undefined,
            Detail: JSON.stringify({
              endpoint: settings.endpointName,
              model_version: report.model_version,
              window,
              drifted_features: report.drifted_features,
              drifted_heads: report.prior.drifted_heads,
              requests: report.requests,
              report: `s3://${settings.reportBucket}/${reportKey}`,
            }),
          },
        ],
      }),
    );
  }
  return {
    report,
    window,
    prefixes,
    reportUri: `s3://${settings.reportBucket}/${reportKey}`,
    eventSent: report.drifted,
  };
}

function publishMetrics(metrics: MetricsSink, endpointName: string, report: CaptureDriftReport) {
  metrics.addDimension(GfrMetric.ENDPOINT_DIMENSION, endpointName);
  const judged = report.features.filter((feature) => feature.judged);
  const count = (name: string, value: number) => metrics.addMetric(name, MetricUnit.Count, value);
  const none = (name: string, value: number) => metrics.addMetric(name, MetricUnit.NoUnit, value);
  count(GfrMetric.CAPTURED_RECORDS, report.capture_records);
  count(GfrMetric.MALFORMED_CAPTURE_LINES, report.malformed_capture_lines);
  count(GfrMetric.DRIFTED_FEATURES, report.drifted_features.length);
  if (judged.length > 0) {
    none(GfrMetric.MAX_FEATURE_PSI, Math.max(...judged.map((feature) => feature.psi)));
    none(
      GfrMetric.MAX_FEATURE_JENSEN_SHANNON,
      Math.max(...judged.map((feature) => feature.jensen_shannon)),
    );
  }
  for (const head of report.prior.heads) {
    // Published for the dashboard's trend; judged only against observed outcomes.
    if (head.relative_shift === null) continue;
    none(
      head.head === 'ctr' ? GfrMetric.PREDICTED_CTR_SHIFT : GfrMetric.PREDICTED_CVR_SHIFT,
      head.relative_shift,
    );
  }
  metrics.publishStoredMetrics();
}

async function championArtifact(
  clients: DriftCheckClients,
  settings: DriftCheckSettings,
): Promise<LoadedArtifact> {
  const endpoint = await describeEndpoint(clients.sageMaker, settings.endpointName);
  const config = await clients.sageMaker.send(
    new DescribeEndpointConfigCommand({ EndpointConfigName: endpoint.configName }),
  );
  const modelName = config.ProductionVariants?.find(
    (variant) => variant.VariantName === settings.championVariant,
  )?.ModelName;
  if (!modelName) {
    throw new HandlerEventInvalidError(
      `endpoint ${settings.endpointName} (${endpoint.configName}) has no ` +
        `${settings.championVariant} variant to check drift against`,
    );
  }
  const model = await clients.sageMaker.send(new DescribeModelCommand({ ModelName: modelName }));
  const url = model.PrimaryContainer?.ModelDataUrl;
  if (!url) throw new HandlerEventInvalidError(`model ${modelName} has no ModelDataUrl`);
  if (cachedArtifact?.url === url) return cachedArtifact.artifact;

  const { bucket, key } = parseS3Uri(url);
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'gfr-champion-'));
  try {
    const tarball = path.join(directory, 'model.tar.gz');
    fs.writeFileSync(tarball, await readObjectBytes(clients.s3, bucket, key));
    const artifact = await loadArtifact(tarball);
    cachedArtifact = { url, artifact };
    return artifact;
  } finally {
    fs.rmSync(directory, { recursive: true, force: true });
  }
}

/** `captures/e/v/2026/12/01/10/` → `2026-12-01T10:00:00Z`. */
function prefixStart(prefix: string): string {
  const [year, month, day, hour] = prefix.split('/').filter(Boolean).slice(-4);
  return `${year}-${month}-${day}T${hour}:00:00Z`;
}
