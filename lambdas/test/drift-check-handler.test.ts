import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import {
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  DescribeModelCommand,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import {
  LoadedArtifact,
  loadArtifact,
  prepareTrainingSets,
  silentLogger,
  simulator,
  trainingPrior,
  trainRanker,
} from '@gfr/core';
import { syntheticInvocationRequest } from '@gfr/inference-image';
import { mockClient } from 'aws-sdk-client-mock';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { DriftEvent, GfrMetric } from '../src/contract';
import { createDriftCheckHandler } from '../src/drift-check-handler';
import { MetricsRecorder } from './metrics-recorder';
import { s3Body } from './s3-body';

const s3 = mockClient(S3Client);
const sageMaker = mockClient(SageMakerClient);
const eventBridge = mockClient(EventBridgeClient);
const now = new Date('2026-12-03T10:20:00Z');
const env = {
  GFR_ARTIFACT_BUCKET: 'gfr-artifacts',
  GFR_ENDPOINT_NAME: 'gfr-ranker',
  GFR_CHAMPION_VARIANT_NAME: 'champion',
  GFR_CAPTURE_S3_URI: 's3://gfr-artifacts/captures',
  GFR_DRIFT_WINDOW_HOURS: '3',
  GFR_DRIFT_MIN_RECORDS: '50',
};
const hour = (h: string) => `captures/gfr-ranker/champion/2026/12/03/${h}/`;

let tarball: Buffer;
let artifact: LoadedArtifact;

beforeAll(async () => {
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gfr-drift-check-'));
  const tables = path.join(outDir, 'tables');
  await simulator.simulateMarketplace({ users: 200, items: 200, days: 5, seed: 3 }, tables);
  const trained = await trainRanker(await prepareTrainingSets(tables), outDir, {
    parameters: { rounds: 10 },
  });
  tarball = fs.readFileSync(trained.artifact.tarball);
  artifact = await loadArtifact(trained.artifact.directory);
}, 120_000);

/** A capture line of a synthetic request whose served items carry the training prior. */
function captureLine(seed: number): string {
  const request = syntheticInvocationRequest({ candidates: 40, seed, now: 1_764_700_000 });
  const prior = trainingPrior(artifact, 'ctr')!;
  const response = {
    schema_version: '1',
    request_id: `r${seed}`,
    model_version: artifact.manifest.model_version,
    items: request.candidates.slice(0, 10).map((candidate, index) => ({
      item_id: candidate.item_id,
      channel: 'exploit',
      position: index + 1,
      p_ctr: prior,
      p_cvr: trainingPrior(artifact, 'cvr') ?? 0.1,
      score: prior * 0.1,
    })),
  };
  const payload = (mode: string, data: string, encoding = 'JSON') => ({
    observedContentType: 'application/json',
    mode,
    data,
    encoding,
  });
  return JSON.stringify({
    captureData: {
      endpointInput: payload('INPUT', JSON.stringify(request)),
      // The output arrives base64-encoded, as SageMaker stores unlisted content types.
      endpointOutput: payload(
        'OUTPUT',
        Buffer.from(JSON.stringify(response)).toString('base64'),
        'BASE64',
      ),
    },
    eventMetadata: { eventId: `e${seed}`, inferenceTime: '2026-12-03T09:10:00Z' },
    eventVersion: '0',
  });
}

beforeEach(() => {
  s3.reset();
  sageMaker.reset();
  eventBridge.reset();
  sageMaker.on(DescribeEndpointCommand).resolves({
    EndpointStatus: 'InService',
    EndpointConfigName: 'cfg-1',
    ProductionVariants: [{ VariantName: 'champion', CurrentWeight: 1 }],
  } as never);
  sageMaker.on(DescribeEndpointConfigCommand).resolves({
    ProductionVariants: [{ VariantName: 'champion', ModelName: 'gfr-ranker-2026112900' }],
  } as never);
  sageMaker.on(DescribeModelCommand).resolves({
    PrimaryContainer: { ModelDataUrl: 's3://gfr-artifacts/models/m/artifact/model.tar.gz' },
  } as never);
  s3.on(GetObjectCommand, { Key: 'models/m/artifact/model.tar.gz' }).resolves({
    Body: s3Body(tarball),
  } as never);

  s3.on(ListObjectsV2Command).resolves({ Contents: [], IsTruncated: false });
  s3.on(ListObjectsV2Command, { Prefix: hour('09'), ContinuationToken: undefined }).resolves({
    Contents: [{ Key: `${hour('09')}10-00-000-a.jsonl` }],
    IsTruncated: true,
    NextContinuationToken: 'more',
  });
  s3.on(ListObjectsV2Command, { Prefix: hour('09'), ContinuationToken: 'more' }).resolves({
    Contents: [{ Key: `${hour('09')}40-00-000-b.jsonl` }, { Key: `${hour('09')}notes.txt` }],
    IsTruncated: false,
  });
  const lines = (seeds: number[]) => seeds.map(captureLine).join('\n') + '\n';
  s3.on(GetObjectCommand, { Key: `${hour('09')}10-00-000-a.jsonl` }).resolves({
    Body: s3Body(lines([1, 2, 3]) + 'not json\n'),
  } as never);
  s3.on(GetObjectCommand, { Key: `${hour('09')}40-00-000-b.jsonl` }).resolves({
    Body: s3Body(lines([4, 5]) + '{"captureData": {}}\n'),
  } as never);
  s3.on(PutObjectCommand).resolves({});
  eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [] });
});

describe('drift-check handler', () => {
  test('lists only the window’s hour folders, follows pagination and counts malformed lines', async () => {
    const metrics = new MetricsRecorder();
    const handler = createDriftCheckHandler({
      env: { ...env, GFR_DRIFT_PSI_THRESHOLD: '1000', GFR_DRIFT_JS_THRESHOLD: '1' },
      metrics,
      logger: silentLogger,
      now: () => now,
    });

    const outcome = await handler({});

    const listed = s3
      .commandCalls(ListObjectsV2Command)
      .map((call) => [call.args[0].input.Prefix, call.args[0].input.ContinuationToken]);
    expect(listed).toEqual([
      [hour('08'), undefined],
      [hour('09'), undefined],
      [hour('09'), 'more'],
      [hour('10'), undefined],
    ]);
    expect(outcome).toMatchObject({ requests: 5, malformedCaptureLines: 2, drifted: false });
    expect(metrics.dimensions).toEqual({ [GfrMetric.ENDPOINT_DIMENSION]: 'gfr-ranker' });
    expect(metrics.value(GfrMetric.CAPTURED_RECORDS)).toBe(5);
    expect(metrics.value(GfrMetric.MALFORMED_CAPTURE_LINES)).toBe(2);
    expect(metrics.value(GfrMetric.DRIFTED_FEATURES)).toBe(0);
    expect(metrics.value(GfrMetric.PREDICTED_CTR_SHIFT)).toBeCloseTo(0, 12);
    expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(0);
    const report = s3.commandCalls(PutObjectCommand)[0].args[0].input;
    expect(report.Key).toBe('reports/drift/gfr-ranker/2026-12-03T10-20-00Z.json');
  });

  test('drift beyond the thresholds emits one event naming the drifted features', async () => {
    const handler = createDriftCheckHandler({
      env: { ...env, GFR_DRIFT_PSI_THRESHOLD: '0', GFR_DRIFT_JS_THRESHOLD: '0' },
      metrics: new MetricsRecorder(),
      logger: silentLogger,
      now: () => now,
    });

    const outcome = await handler({});

    const entries = eventBridge.commandCalls(PutEventsCommand)[0].args[0].input.Entries!;
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      Source: DriftEvent.SOURCE,
      DetailType: DriftEvent.DETAIL_TYPE,
    });
    const detail = JSON.parse(entries[0].Detail!);
    expect(detail.drifted_features).toEqual(outcome.driftedFeatures);
    expect(detail.drifted_features.length).toBeGreaterThan(10);
    expect(detail.drifted_features).not.toContain('position');
    expect(detail.window).toEqual({
      start: '2026-12-03T08:00:00.000Z',
      end: '2026-12-03T10:20:00.000Z',
    });
  });

  test('a window below the minimum raises nothing whatever the thresholds', async () => {
    const handler = createDriftCheckHandler({
      env: {
        ...env,
        GFR_DRIFT_PSI_THRESHOLD: '0',
        GFR_DRIFT_JS_THRESHOLD: '0',
        GFR_DRIFT_MIN_RECORDS: '100000',
      },
      metrics: new MetricsRecorder(),
      logger: silentLogger,
      now: () => now,
    });

    const outcome = await handler({});

    expect(outcome.drifted).toBe(false);
    expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(0);
  });
});
