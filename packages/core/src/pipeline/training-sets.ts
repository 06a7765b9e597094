import { DuckSession } from '../duckdb/database';
import { buildAggregateStates, registerCanonicalTables } from '../features/aggregate-sql';
import { FeatureSettings, defaultHalfLifeSeconds } from '../features/feature-spec';
import { ExampleFeatures, computeExampleFeatures } from '../features/point-in-time';
import { createVectorizer } from '../features/vectorize';
import { buildVocabularies } from '../features/vocabulary';
import { Logger, silentLogger } from '../log';
import {
  ExampleSettings,
  buildClickExamples,
  buildPurchaseExamples,
  defaultExampleSettings,
} from '../training-set/click-examples';
import {
  SplitPart,
  TimeSplit,
  TimeSplitSettings,
  chooseTimeSplit,
  defaultTimeSplitSettings,
  splitPartSql,
} from '../training-set/time-split';

/** The two prediction heads: click-through (pCTR) and conversion after a click (pCVR). */
export type Head = 'ctr' | 'cvr';

/** Examples of one head with their features, labels and what they belong to. */
export interface TrainingSet {
  head: Head;
  features: ExampleFeatures;
  /** 1 for a click (ctr) or a purchase after the click (cvr), else 0. */
  labels: Float32Array;
  /** 1 when the example's click led to a purchase (graded relevance of the ranked feed). */
  purchased: Uint8Array;
  parts: SplitPart[];
  /** Epoch seconds of each example. */
  times: Float64Array;
  userIds: string[];
  itemIds: string[];
  /** The feed (request) each example was shown in; one ranked list per request. */
  requestIds: string[];
  /** Candidate channel the item came from, when the log records it. */
  channels: (string | null)[];
}

/** Settings of training-set preparation; every field has a default. */
export interface PreparationSettings {
  /** Half-life of decayed counts in seconds; default: a fifth of the log's span, 1 h to 7 days. */
  halfLifeSeconds?: number;
  ctrPriorImpressions: number;
  purchasePriorClicks: number;
  examples: ExampleSettings;
  split: TimeSplitSettings;
}

/** Default preparation settings. */
export const defaultPreparationSettings: PreparationSettings = {
  ctrPriorImpressions: 50,
  purchasePriorClicks: 20,
  examples: defaultExampleSettings,
  split: defaultTimeSplitSettings,
};

/** Training sets of both heads and how they were made. */
export interface PreparedTrainingSets {
  ctr: TrainingSet;
  /** Null when the log has no purchases after clicks. */
  cvr: TrainingSet | null;
  featureSettings: FeatureSettings;
  split: TimeSplit;
  /** True when the log held no impressions and they were sampled. */
  reconstructedImpressions: boolean;
  /** Share of non-clicked impressions kept (1 when impressions were logged). */
  negativeKeepRate: number;
  notes: string[];
}

/**
 * Turns canonical tables into the point-in-time training sets of both heads, split by time.
 * All aggregation happens in DuckDB; the feature rows come from the shared vectorizer.
 */
export async function prepareTrainingSets(
  tablesDir: string,
  settings: PreparationSettings = defaultPreparationSettings,
  logger: Logger = silentLogger,
): Promise<PreparedTrainingSets> {
  const session = await DuckSession.open();
  try {
    await registerCanonicalTables(session, tablesDir);
    const [span] = await session.jsonRows(
      'SELECT quantile_cont(t, 0.01) AS low, quantile_cont(t, 0.99) AS high FROM event_facts',
    );
    const halfLifeSeconds =
      settings.halfLifeSeconds ?? defaultHalfLifeSeconds(Number(span.high) - Number(span.low));
    const featureSettings: FeatureSettings = {
      halfLifeSeconds,
      ctrPriorImpressions: settings.ctrPriorImpressions,
      purchasePriorClicks: settings.purchasePriorClicks,
      vocabularies: await buildVocabularies(session),
    };

    await buildAggregateStates(session, halfLifeSeconds);
    logger.info('aggregate states built', { halfLifeSeconds });

    const clickSummary = await buildClickExamples(session, settings.examples);
    const split = await chooseTimeSplit(session, 'click_examples', settings.split);
    logger.info('click examples built', { ...clickSummary });
    const purchaseSummary = await buildPurchaseExamples(session, settings.examples);
    logger.info('purchase examples built', purchaseSummary);

    const vectorize = createVectorizer(featureSettings);
    const ctr = await readTrainingSet(session, 'ctr', 'click_examples', split, vectorize);
    const cvr =
      purchaseSummary.purchases > 0
        ? await readTrainingSet(session, 'cvr', 'purchase_examples', split, vectorize)
        : null;

    const notes: string[] = [];
    if (clickSummary.reconstructed) {
      notes.push(
        `the log records no impressions: ${settings.examples.reconstruction.negativesPerClick} ` +
          'non-clicked impressions per click were sampled from the catalogue (same category, ' +
          "the user's earlier items, trending, new and any items) at each click; " +
          'click metrics are on this sample and served pCTR is ' +
          `corrected for a kept share of ${clickSummary.negativeKeepRate.toFixed(4)} of negatives`,
      );
    }
    if (!cvr) {
      notes.push(
        'no purchase follows a click on the same item within the attribution window: ' +
          'no pCVR model is trained',
      );
    }

    return {
      ctr,
      cvr,
      featureSettings,
      split,
      reconstructedImpressions: clickSummary.reconstructed,
      negativeKeepRate: clickSummary.negativeKeepRate,
      notes,
    };
  } finally {
    session.close();
  }
}

async function readTrainingSet(
  session: DuckSession,
  head: Head,
  examplesTable: string,
  split: TimeSplit,
  vectorize: ReturnType<typeof createVectorizer>,
): Promise<TrainingSet> {
  const { features } = await computeExampleFeatures(session, examplesTable, vectorize);
  const reader = await session.connection.runAndReadAll(`
    SELECT label::DOUBLE AS label, purchased::DOUBLE AS purchased, ${splitPartSql(split)} AS part,
      t, user_id, item_id, request_id, channel
    FROM ${examplesTable} ORDER BY example_id`);
  const columns = reader.getColumnsObjectJS() as unknown as {
    label: number[];
    purchased: number[];
    part: SplitPart[];
    t: number[];
    user_id: string[];
    item_id: string[];
    request_id: string[];
    channel: (string | null)[];
  };
  return {
    head,
    features,
    labels: Float32Array.from(columns.label),
    purchased: Uint8Array.from(columns.purchased),
    parts: columns.part,
    times: Float64Array.from(columns.t),
    userIds: columns.user_id,
    itemIds: columns.item_id,
    requestIds: columns.request_id,
    channels: columns.channel,
  };
}

/** The rows of `set` in `part`, as a new training set. */
export function selectPart(set: TrainingSet, part: SplitPart): TrainingSet {
  const rows: number[] = [];
  set.parts.forEach((value, row) => {
    if (value === part) rows.push(row);
  });
  const width = set.features.columns;
  const values = new Float32Array(rows.length * width);
  rows.forEach((row, index) => {
    values.set(set.features.values.subarray(row * width, (row + 1) * width), index * width);
  });
  const pick = <T>(array: ArrayLike<T>) => rows.map((row) => array[row]);
  return {
    head: set.head,
    features: { ...set.features, values, rows: rows.length },
    labels: Float32Array.from(pick(set.labels)),
    purchased: Uint8Array.from(pick(set.purchased)),
    parts: pick(set.parts),
    times: Float64Array.from(pick(set.times)),
    userIds: pick(set.userIds),
    itemIds: pick(set.itemIds),
    requestIds: pick(set.requestIds),
    channels: pick(set.channels),
  };
}
