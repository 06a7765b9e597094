import { writeArtifact, writeJsonAtomic, WrittenArtifact } from '../artifact/write-artifact';
import { summarizeFeatureDistributions } from '../drift/feature-distribution';
import { GbdtParameters } from '../gbdt';
import { Logger, silentLogger } from '../log';
import { FeedRankingReport, evaluateFeedRanking } from './feed-evaluation';
import { headDiagnostics } from './head-diagnostics';
import { RoundListener, TrainedHead, trainHead } from './train-heads';
import { PreparedTrainingSets, TrainingSet, selectPart } from './training-sets';
import * as path from 'node:path';

/** Default boosting parameters of gfr's heads (the trainer's own defaults otherwise). */
export const defaultRankerParameters: Partial<GbdtParameters> = {
  rounds: 300,
  learningRate: 0.08,
  maxDepth: 6,
  minChildWeight: 2,
  l2Regularization: 2,
  rowSubsample: 0.9,
  columnSubsample: 0.9,
  earlyStoppingRounds: 30,
};

/** Options of {@link trainRanker}. */
export interface TrainRankerOptions {
  parameters?: Partial<GbdtParameters>;
  logger?: Logger;
  onRound?: RoundListener;
  /** Extra facts for the report's `data` section (source, input, ingest counts). */
  data?: Record<string, unknown>;
}

/** The outcome of {@link trainRanker}. */
export interface TrainedRanker {
  ctr: TrainedHead;
  cvr: TrainedHead | null;
  ranking: FeedRankingReport;
  artifact: WrittenArtifact;
  report: Record<string, unknown>;
  reportPath: string;
}

/**
 * Trains both heads, evaluates them and the ranked feed on the test days, writes the model
 * artifact (`<outDir>/model/`, `<outDir>/model.tar.gz`) and `<outDir>/report.json`.
 */
export async function trainRanker(
  prepared: PreparedTrainingSets,
  outDir: string,
  options: TrainRankerOptions = {},
): Promise<TrainedRanker> {
  const logger = options.logger ?? silentLogger;
  const parameters = { ...defaultRankerParameters, ...options.parameters };

  const ctr = await trainHead(prepared.ctr, parameters, logger, options.onRound);
  const cvr =
    prepared.cvr && hasBothClasses(prepared.cvr)
      ? await trainHead(prepared.cvr, parameters, logger, options.onRound)
      : null;
  const ranking = evaluateFeedRanking(ctr, cvr, prepared.cvr);

  const metrics = Object.fromEntries(
    [ctr, cvr]
      .filter((head): head is TrainedHead => head !== null)
      .map((head) => [head.head, { validation: head.validation, test: head.test }]),
  );
  const artifact = await writeArtifact(outDir, {
    ctr: { model: ctr.model, calibration: ctr.calibration, bestIteration: ctr.bestIteration },
    cvr: cvr
      ? { model: cvr.model, calibration: cvr.calibration, bestIteration: cvr.bestIteration }
      : null,
    featureSettings: prepared.featureSettings,
    featureDistributions: summarizeFeatureDistributions(selectPart(prepared.ctr, 'train').features),
    trainingWindow: timeWindow(selectPart(prepared.ctr, 'train')),
    split: prepared.split,
    reconstructedImpressions: prepared.reconstructedImpressions,
    negativeKeepRate: prepared.negativeKeepRate,
    parameters: { gbdt: parameters },
    metrics: { ...metrics, ranking },
  });
  logger.info('artifact written', { directory: artifact.directory, tarball: artifact.tarball });

  const report = buildReport(prepared, ctr, cvr, ranking, artifact, options.data ?? {});
  const reportPath = path.join(outDir, 'report.json');
  writeJsonAtomic(reportPath, report);
  return { ctr, cvr, ranking, artifact, report, reportPath };
}

function hasBothClasses(set: TrainingSet): boolean {
  const positivesIn = (part: string) =>
    set.parts.some((value, row) => value === part && set.labels[row] === 1);
  return positivesIn('train') && positivesIn('validation');
}

function timeWindow(set: TrainingSet): { start: Date; end: Date } {
  let start = Infinity;
  let end = -Infinity;
  for (const t of set.times) {
    start = Math.min(start, t);
    end = Math.max(end, t);
  }
  return { start: new Date(start * 1000), end: new Date(end * 1000) };
}

function buildReport(
  prepared: PreparedTrainingSets,
  ctr: TrainedHead,
  cvr: TrainedHead | null,
  ranking: FeedRankingReport,
  artifact: WrittenArtifact,
  data: Record<string, unknown>,
): Record<string, unknown> {
  const notes = [...prepared.notes];
  if (prepared.cvr && !cvr) {
    notes.push('too few purchases after clicks in the train or validation days to train pCVR');
  }
  return {
    created_at: new Date().toISOString(),
    model_version: artifact.manifest.model_version,
    data,
    split: describeSplit(prepared),
    models: Object.fromEntries(
      [ctr, cvr]
        .filter((head): head is TrainedHead => head !== null)
        .map((head) => [head.head, describeHead(head)]),
    ),
    ranking,
    artifact: artifact.tarball,
    artifact_directory: artifact.directory,
    feature_settings: prepared.featureSettings,
    notes,
  };
}

function describeHead(head: TrainedHead): Record<string, unknown> {
  const importance = Object.entries(head.featureImportance)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 10);
  return {
    test: head.test,
    validation: head.validation,
    baselines: head.baselines,
    best_iteration: head.bestIteration,
    test_positives: head.test.positives,
    rows: head.rows,
    calibration: head.calibration.kind,
    top_features_by_gain: Object.fromEntries(importance),
    diagnostics: headDiagnostics({
      labels: head.testSet.labels,
      channels: head.testSet.channels,
      model: head.testPredictions,
      baselines: head.baselineTestPredictions,
      importance: {
        gain: head.model.featureImportance('gain'),
        total_gain: head.featureImportance,
        weight: head.model.featureImportance('weight'),
      },
    }),
  };
}

function describeSplit(prepared: PreparedTrainingSets): Record<string, unknown> {
  const describe = (part: 'train' | 'validation' | 'test') => {
    const ctr = selectPart(prepared.ctr, part);
    const window = timeWindow(ctr);
    const cvrRows = prepared.cvr ? prepared.cvr.parts.filter((value) => value === part).length : 0;
    return {
      start: ctr.times.length ? window.start.toISOString() : null,
      end: ctr.times.length ? window.end.toISOString() : null,
      ctr_rows: ctr.labels.length,
      ctr_positives: ctr.labels.reduce((sum, label) => sum + label, 0),
      cvr_rows: cvrRows,
    };
  };
  return {
    method: 'by time at example-time quantiles; never random',
    train: describe('train'),
    validation: describe('validation'),
    test: describe('test'),
    gap_seconds: prepared.split.gapSeconds,
    reconstructed_impressions: prepared.reconstructedImpressions,
    negative_keep_rate: prepared.negativeKeepRate,
  };
}
