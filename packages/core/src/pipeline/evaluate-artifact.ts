import { LoadedArtifact } from '../artifact/load-artifact';
import { BinaryClassificationReport, binaryClassificationReport } from '../metrics';
import { HeadDiagnostics, headDiagnostics } from './head-diagnostics';
import { calibrate } from './train-heads';
import { PreparedTrainingSets, selectPart } from './training-sets';
import { SplitPart } from '../training-set/time-split';

/** Metrics of an artifact's heads on one part of stored training sets. */
export interface ArtifactEvaluation {
  model_version: string;
  part: SplitPart;
  ctr: BinaryClassificationReport;
  cvr: BinaryClassificationReport | null;
  /** Curves, reliability, score histogram, importance and per-channel metrics of each head. */
  diagnostics: { ctr: HeadDiagnostics; cvr: HeadDiagnostics | null };
}

/**
 * Scores one part (default test) of the training sets with an artifact's calibrated heads.
 * Probabilities are not corrected for sampled impressions, because the examples are the sample.
 */
export function evaluateArtifact(
  artifact: LoadedArtifact,
  prepared: PreparedTrainingSets,
  part: SplitPart = 'test',
): ArtifactEvaluation {
  const score = (head: 'ctr' | 'cvr') => {
    const model = artifact[head];
    const set = prepared[head];
    if (!model || !set) return null;
    const rows = selectPart(set, part);
    const predictions = calibrate(
      model.calibration,
      model.model.predictProbabilities(rows.features),
    );
    const diagnostics = headDiagnostics({
      labels: rows.labels,
      channels: rows.channels,
      model: predictions,
      // The artifact keeps no baseline, so only the model is drawn.
      baselines: {},
      importance: {
        gain: model.model.featureImportance('gain'),
        total_gain: model.model.featureImportance('total_gain'),
        weight: model.model.featureImportance('weight'),
      },
    });
    return {
      metrics: binaryClassificationReport(rows.labels, predictions, rows.userIds),
      diagnostics,
    };
  };
  const ctr = score('ctr')!;
  const cvr = score('cvr');
  return {
    model_version: artifact.manifest.model_version,
    part,
    ctr: ctr.metrics,
    cvr: cvr?.metrics ?? null,
    diagnostics: { ctr: ctr.diagnostics, cvr: cvr?.diagnostics ?? null },
  };
}
