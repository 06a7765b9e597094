/**
 * The drift check of a window of Data Capture: per-feature drift of the rebuilt model inputs and
 * prior drift of the served probabilities, in one report that `gfr drift` prints and the
 * drift-check Lambda publishes. Both read captures with the same parser, so a window judged
 * locally is judged the same in the cloud.
 */
import { LoadedArtifact } from '../artifact/load-artifact';
import { DriftThresholds, defaultDriftThresholds } from '../drift/drift-statistics';
import { FeatureDriftReport, checkFeatureDrift } from '../drift/request-drift';
import { CaptureReadResult, MalformedCaptureLine } from './capture-record';
import {
  PriorDriftReport,
  PriorDriftSettings,
  ServedOutcomes,
  checkPriorDrift,
  defaultPriorDriftSettings,
} from './prior-drift';

/** Thresholds of both checks; every field has a default. */
export interface CaptureDriftSettings {
  features: DriftThresholds;
  prior: PriorDriftSettings;
}

/** Default thresholds of both checks. */
export const defaultCaptureDriftSettings: CaptureDriftSettings = {
  features: defaultDriftThresholds,
  prior: defaultPriorDriftSettings,
};

/** Feature and prior drift of one capture window. */
export interface CaptureDriftReport extends FeatureDriftReport {
  capture_files: number;
  capture_records: number;
  /** Lines that were not capture records: counted, never fatal. */
  malformed_capture_lines: number;
  /** The first malformed lines with file, line and reason. */
  malformed_examples: MalformedCaptureLine[];
  prior: PriorDriftReport;
  /** True when a feature or a head drifted. */
  drifted: boolean;
}

/**
 * Checks a window of captured invocations against the artifact: features from the requests,
 * priors from the responses (and from `outcomes`, the clicks and purchases of served items,
 * when they are joined).
 */
export function checkCaptureDrift(
  artifact: LoadedArtifact,
  captured: CaptureReadResult,
  settings: CaptureDriftSettings = defaultCaptureDriftSettings,
  outcomes: ServedOutcomes | null = null,
): CaptureDriftReport {
  const requests = captured.records.flatMap((record) =>
    record.input
      ? [
          {
            requestText: record.input.text,
            inferenceTime: record.inferenceTime,
            location: { file: record.file, line: record.line },
          },
        ]
      : [],
  );
  const features = checkFeatureDrift(artifact, requests, settings.features);

  const served = captured.records.map((record) => ({
    requestText: record.input?.text ?? null,
    responseText: record.output?.text ?? null,
    inferenceId: record.inferenceId,
  }));
  const prior = checkPriorDrift(artifact, served, outcomes, settings.prior);

  return {
    ...features,
    capture_files: captured.files.length,
    capture_records: captured.records.length,
    malformed_capture_lines: captured.malformedLines,
    malformed_examples: captured.malformed.slice(0, 10),
    prior,
    drifted: features.drifted_features.length > 0 || prior.drifted_heads.length > 0,
  };
}
