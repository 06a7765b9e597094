import { LoadedArtifact } from '../artifact/load-artifact';
import { featureNames } from '../features/feature-spec';
import { createVectorizer } from '../features/vectorize';
import { fillFeatureInputFromRequest, newFeatureInput } from '../invocation/feature-inputs';
import { parseInvocationRequest } from '../invocation/parse';
import {
  DriftThresholds,
  FeatureDrift,
  defaultDriftThresholds,
  featureDrift,
} from './drift-statistics';

/**
 * Features the endpoint sets itself rather than reading from the world: every candidate is
 * scored at position 1, so comparing that with logged positions would always alarm.
 */
export const servingConstantFeatures: readonly string[] = ['position'];

/** One served invocation as Data Capture recorded it. */
export interface CapturedInvocation {
  /** The request body as text. */
  requestText: string;
  /** ISO time of the invocation: the ranking time of requests that name none. */
  inferenceTime: string;
  /** Where the invocation was recorded, to name it when its request cannot be read. */
  location?: { file: string; line: number };
}

/** A captured request that is not a valid invocation, where it is and why. */
export interface UnreadableRequest {
  /** The capture file, or null when the invocation came without a location. */
  file: string | null;
  line: number | null;
  reason: string;
}

/** How many unreadable requests a {@link FeatureDriftReport} describes one by one. */
export const maximumReportedUnreadableRequests = 10;

/** Feature drift of a window of served requests against a model's training data. */
export interface FeatureDriftReport {
  model_version: string;
  requests: number;
  /** Candidates whose model inputs were rebuilt (purchased items are not scored, so not counted). */
  candidates: number;
  /** Captured requests that were not valid version-1 requests; counted, never fatal. */
  unreadable_requests: number;
  /** The first {@link maximumReportedUnreadableRequests} of them, with where and why. */
  unreadable_examples: UnreadableRequest[];
  thresholds: DriftThresholds;
  features: FeatureDrift[];
  /** Names of the features that drifted, most drifted (by PSI) first. */
  drifted_features: string[];
}

/**
 * Rebuilds the model inputs of every candidate of the captured requests with the artifact's own
 * vectorizer, exactly as the endpoint scored them, and measures each feature's drift against the
 * training distribution stored in the artifact.
 */
export function checkFeatureDrift(
  artifact: LoadedArtifact,
  invocations: readonly CapturedInvocation[],
  thresholds: DriftThresholds = defaultDriftThresholds,
): FeatureDriftReport {
  const vectorize = createVectorizer(artifact.manifest.feature_settings);
  const width = featureNames.length;
  const columns = featureNames.map(() => [] as number[]);
  const row = new Float32Array(width);
  const firstRow = new Float32Array(width);
  // 1 where a feature took two values within one request: its observations are candidates.
  const variesWithinRequest = new Uint8Array(width);
  const input = newFeatureInput();
  let requests = 0;
  let requestsWithCandidates = 0;
  let unreadable = 0;
  const unreadableExamples: UnreadableRequest[] = [];

  for (const invocation of invocations) {
    let request;
    try {
      request = parseInvocationRequest(JSON.parse(invocation.requestText));
    } catch (error) {
      unreadable++;
      if (unreadableExamples.length < maximumReportedUnreadableRequests) {
        unreadableExamples.push({
          file: invocation.location?.file ?? null,
          line: invocation.location?.line ?? null,
          reason: error instanceof Error ? error.message : String(error),
        });
      }
      continue;
    }
    requests++;
    const time = request.time ?? Date.parse(invocation.inferenceTime) / 1000;
    const purchased = new Set(request.user.purchased_items);
    let scored = 0;
    for (const candidate of request.candidates) {
      if (purchased.has(candidate.item_id)) continue;
      vectorize(fillFeatureInputFromRequest(input, request, candidate, time), row);
      if (scored === 0) firstRow.set(row);
      for (let column = 0; column < width; column++) {
        columns[column].push(row[column]);
        if (!Object.is(row[column], firstRow[column])) variesWithinRequest[column] = 1;
      }
      scored++;
    }
    if (scored > 0) requestsWithCandidates++;
  }

  const features = artifact.featureDistributions.map((reference, column) => {
    // A user's features repeat over a request's candidates: one observation per request.
    const sampleSize = variesWithinRequest[column]
      ? columns[column].length
      : requestsWithCandidates;
    const drift = featureDrift(reference, columns[column], thresholds, sampleSize);
    return servingConstantFeatures.includes(reference.name)
      ? { ...drift, judged: false, drifted: false }
      : drift;
  });
  return {
    model_version: artifact.manifest.model_version,
    requests,
    candidates: columns[0].length,
    unreadable_requests: unreadable,
    unreadable_examples: unreadableExamples,
    thresholds,
    features,
    drifted_features: features
      .filter((feature) => feature.drifted)
      .sort((a, b) => b.psi - a.psi)
      .map((feature) => feature.feature),
  };
}
