/**
 * Prior drift: the endpoint's mean predicted pCTR and pCVR against the rates the model was
 * trained on, and, where outcomes (clicks, purchases) are joined to the served items, against
 * the observed rates of those same items. Feature drift says the inputs changed; prior drift
 * says the outputs no longer match the world, which is what a miscalibrated model costs.
 *
 * Only the second comparison alarms. Served items are the top of the model's own ranking, so
 * their mean pCTR exceeds the logged impressions' click rate by design (four times, on the
 * simulator); the first comparison is reported and published for trends, never judged.
 */
import { LoadedArtifact } from '../artifact/load-artifact';
import { correctNegativeDownsampling } from '../calibration';

/** Thresholds of {@link checkPriorDrift}; every field has a default. */
export interface PriorDriftSettings {
  /**
   * Relative gap |mean predicted / observed rate − 1| over served items with known outcomes at
   * which a head drifted (default 0.3).
   */
  relativeShift: number;
  /** Fewest items with known outcomes to judge a head at all (default 200). */
  minimumItems: number;
}

/** Default prior drift settings. */
export const defaultPriorDriftSettings: PriorDriftSettings = {
  relativeShift: 0.3,
  minimumItems: 200,
};

/** One served invocation: its request and response bodies as text. */
export interface ServedInvocation {
  requestText: string | null;
  responseText: string | null;
  /** The caller's inference id, used when the request names no `request_id`. */
  inferenceId: string | null;
}

/** Clicks and purchases of served items, keyed by {@link outcomeKey}. */
export interface ServedOutcomes {
  /** Requests whose outcomes are known: their items without a click were not clicked. */
  requests: ReadonlySet<string>;
  clicks: ReadonlySet<string>;
  purchases: ReadonlySet<string>;
}

/** The key of one served item in {@link ServedOutcomes}. */
export function outcomeKey(requestId: string, itemId: string): string {
  return `${requestId}\u0000${itemId}`;
}

/** How one head's served probabilities compare with its training prior. */
export interface HeadPriorDrift {
  head: 'ctr' | 'cvr';
  /** The label rate of the model's validation and test days (pCTR corrected for sampling). */
  training_prior: number | null;
  /** Served items (pCVR: clicked served items when outcomes are joined, else all served items). */
  items: number;
  mean_predicted: number | null;
  /** mean_predicted / training_prior − 1: reported, not judged (see the module comment). */
  relative_shift: number | null;
  /** Items whose outcome is known (pCTR: served items of joined requests; pCVR: their clicks). */
  observed_items: number;
  observed_rate: number | null;
  /** Mean prediction over the same items as observed_rate. */
  predicted_rate_of_observed: number | null;
  /** predicted_rate_of_observed / observed_rate − 1: what is judged. */
  observed_shift: number | null;
  /** True when enough items had known outcomes. */
  judged: boolean;
  drifted: boolean;
}

/** Prior drift of both heads over a window. */
export interface PriorDriftReport {
  responses: number;
  unreadable_responses: number;
  settings: PriorDriftSettings;
  heads: HeadPriorDrift[];
  drifted_heads: ('ctr' | 'cvr')[];
}

interface ServedItem {
  requestId: string | null;
  itemId: string;
  pCtr: number;
  pCvr: number;
}

/**
 * Compares the served items' mean predicted pCTR and pCVR (from the captured responses) with the
 * artifact's training priors, and with the observed click and purchase rates of the served items
 * when `outcomes` are given. Responses that are not gfr responses are counted, not fatal.
 */
export function checkPriorDrift(
  artifact: LoadedArtifact,
  invocations: readonly ServedInvocation[],
  outcomes: ServedOutcomes | null = null,
  settings: PriorDriftSettings = defaultPriorDriftSettings,
): PriorDriftReport {
  const served: ServedItem[] = [];
  let responses = 0;
  let unreadable = 0;
  for (const invocation of invocations) {
    if (invocation.responseText === null) continue;
    const items = readResponseItems(invocation.responseText);
    if (!items) {
      unreadable++;
      continue;
    }
    responses++;
    const requestId =
      items.requestId ?? requestIdOf(invocation.requestText) ?? invocation.inferenceId;
    for (const item of items.items) served.push({ ...item, requestId });
  }

  const clicked = (item: ServedItem) =>
    item.requestId !== null && outcomes!.clicks.has(outcomeKey(item.requestId, item.itemId));
  const purchased = (item: ServedItem) =>
    item.requestId !== null && outcomes!.purchases.has(outcomeKey(item.requestId, item.itemId));

  const ctrObserved = outcomes
    ? served.filter((item) => item.requestId !== null && outcomes.requests.has(item.requestId))
    : [];
  const ctr = headDrift(
    'ctr',
    trainingPrior(artifact, 'ctr'),
    served.map((item) => item.pCtr),
    {
      predicted: ctrObserved.map((item) => item.pCtr),
      labels: ctrObserved.map(clicked),
    },
    settings,
  );

  const clickedItems = ctrObserved.filter(clicked);
  const heads = [ctr];
  if (artifact.cvr) {
    heads.push(
      headDrift(
        'cvr',
        trainingPrior(artifact, 'cvr'),
        served.map((item) => item.pCvr),
        {
          predicted: clickedItems.map((item) => item.pCvr),
          labels: clickedItems.map(purchased),
        },
        settings,
      ),
    );
  }
  return {
    responses,
    unreadable_responses: unreadable,
    settings,
    heads,
    drifted_heads: heads.filter((head) => head.drifted).map((head) => head.head),
  };
}

/**
 * The label rate of a head over the validation and test days recorded in the manifest; pCTR's
 * is corrected for sampled impressions the way served pCTR is, so both are on one scale.
 */
export function trainingPrior(artifact: LoadedArtifact, head: 'ctr' | 'cvr'): number | null {
  const metrics = artifact.manifest.metrics[head] as
    Record<string, { positives?: number; rows?: number } | undefined> | undefined;
  if (!metrics) return null;
  let positives = 0;
  let rows = 0;
  for (const part of ['validation', 'test']) {
    positives += metrics[part]?.positives ?? 0;
    rows += metrics[part]?.rows ?? 0;
  }
  if (rows === 0) return null;
  const rate = positives / rows;
  const keepRate = artifact.manifest.sampling.negative_keep_rate;
  return head === 'ctr' && keepRate < 1 ? correctNegativeDownsampling(rate, keepRate) : rate;
}

function headDrift(
  head: 'ctr' | 'cvr',
  prior: number | null,
  predictions: number[],
  observed: { predicted: number[]; labels: boolean[] },
  settings: PriorDriftSettings,
): HeadPriorDrift {
  const meanPredicted = mean(predictions);
  const shift =
    meanPredicted !== null && prior !== null && prior > 0 ? meanPredicted / prior - 1 : null;
  const observedRate = mean(observed.labels.map(Number));
  const predictedRate = mean(observed.predicted);
  const observedShift =
    observedRate !== null && predictedRate !== null && observedRate > 0
      ? predictedRate / observedRate - 1
      : null;
  const judged = observed.labels.length >= settings.minimumItems && observedShift !== null;
  return {
    head,
    training_prior: prior,
    items: predictions.length,
    mean_predicted: meanPredicted,
    relative_shift: shift,
    observed_items: observed.labels.length,
    observed_rate: observedRate,
    predicted_rate_of_observed: predictedRate,
    observed_shift: observedShift,
    judged,
    drifted: judged && Math.abs(observedShift!) >= settings.relativeShift,
  };
}

function readResponseItems(
  text: string,
): { requestId: string | null; items: Omit<ServedItem, 'requestId'>[] } | null {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return null;
  }
  const response = body as { request_id?: unknown; items?: unknown };
  if (typeof body !== 'object' || body === null || !Array.isArray(response.items)) return null;
  const items: Omit<ServedItem, 'requestId'>[] = [];
  for (const entry of response.items as Record<string, unknown>[]) {
    if (
      typeof entry?.item_id !== 'string' ||
      typeof entry.p_ctr !== 'number' ||
      typeof entry.p_cvr !== 'number'
    ) {
      return null;
    }
    items.push({ itemId: entry.item_id, pCtr: entry.p_ctr, pCvr: entry.p_cvr });
  }
  return {
    requestId: typeof response.request_id === 'string' ? response.request_id : null,
    items,
  };
}

function requestIdOf(requestText: string | null): string | null {
  if (requestText === null) return null;
  try {
    const id = (JSON.parse(requestText) as { request_id?: unknown }).request_id;
    return typeof id === 'string' ? id : null;
  } catch {
    return null;
  }
}

function mean(values: number[]): number | null {
  if (values.length === 0) return null;
  return values.reduce((total, value) => total + value, 0) / values.length;
}
