import * as path from 'node:path';

import { CanonicalTableCounts, CanonicalTableWriter } from '../canonical/table-writer';
import { writeFileAtomic } from '../io/atomic';
import { Logger, silentLogger } from '../log';
import { catalogueShape } from './catalogue';
import { MarketplaceConfigInput, startMilliseconds } from './config';
import { SimulationOutputError } from './errors';
import { clickModel, purchaseModel } from './ground-truth';
import { LoggedRequest, Marketplace } from './marketplace';
import { FeedPolicy } from './policy';
import { acquisitionChannels, ageBands, devices, geographies, populationShape } from './population';
import { SimulationSummary, SummaryAccumulator } from './summary';

const dayMilliseconds = 86_400_000;

/** File name of the ground truth written beside the canonical tables. */
export const groundTruthFileName = 'ground-truth.json';

/** Progress of a running simulation, reported once per simulated day. */
export interface SimulationProgress {
  /** Simulated days completed. */
  day: number;
  days: number;
  requests: number;
  impressions: number;
}

/** Options of {@link simulateMarketplace}. */
export interface SimulationOptions {
  /** Structured logger; silent by default. */
  logger?: Logger;
  /** Called after each simulated day. */
  onProgress?: (progress: SimulationProgress) => void;
  /** Feed policy; the marketplace's channel-mix logging policy by default. */
  policy?: FeedPolicy;
}

/** What {@link simulateMarketplace} wrote and how long it took. */
export interface SimulationReport {
  outDir: string;
  /** Rows written per canonical table. */
  tables: CanonicalTableCounts;
  summary: SimulationSummary;
  /** Path of `ground-truth.json`. */
  groundTruthPath: string;
  /** Wall time of the whole call (simulation and Parquet writing), milliseconds. */
  elapsedMs: number;
  /** Events (all types) written per second of wall time. */
  eventsPerSecond: number;
}

/**
 * Simulates a marketplace and writes `events.parquet`, `items.parquet`, `users.parquet` and
 * `ground-truth.json` (config, summary, the true model's coefficients) into `outDir`, which
 * is replaced as a whole. Deterministic in `config.seed`: `ground-truth.json` holds no
 * timings, so two runs with one config write identical files.
 */
export async function simulateMarketplace(
  config: MarketplaceConfigInput,
  outDir: string,
  options: SimulationOptions = {},
): Promise<SimulationReport> {
  const logger = (options.logger ?? silentLogger).child({ component: 'simulator' });
  const startedAt = performance.now();
  const marketplace = new Marketplace(config);
  const resolved = marketplace.config;
  const policy = options.policy ?? marketplace.loggingPolicy();
  logger.info('simulation started', { config: resolved, policy: policy.name, outDir });

  const writer = await CanonicalTableWriter.open();
  let summary: SimulationSummary;
  try {
    summary = simulateInto(writer, marketplace, policy, options);
  } catch (error) {
    writer.duck.close();
    throw error;
  }

  let tables: CanonicalTableCounts;
  try {
    tables = await writer.finish(outDir);
  } catch (error) {
    throw new SimulationOutputError(outDir, { cause: error });
  }

  const groundTruthPath = path.join(outDir, groundTruthFileName);
  try {
    writeFileAtomic(
      groundTruthPath,
      JSON.stringify(groundTruth(marketplace, policy, summary), null, 2),
    );
  } catch (error) {
    throw new SimulationOutputError(outDir, { cause: error });
  }

  const elapsedMs = performance.now() - startedAt;
  const eventsPerSecond = tables.events / (elapsedMs / 1000);
  logger.info('simulation written', {
    outDir,
    tables,
    elapsedMs,
    eventsPerSecond,
    ctr: summary.ctr,
    cvr: summary.cvr,
  });
  return { outDir, tables, summary, groundTruthPath, elapsedMs, eventsPerSecond };
}

/** Runs the period with `policy`, writing every row into `writer`; returns the summary. */
function simulateInto(
  writer: CanonicalTableWriter,
  marketplace: Marketplace,
  policy: FeedPolicy,
  options: SimulationOptions,
): SimulationSummary {
  const config = marketplace.config;
  writeCatalogue(writer, marketplace);
  const accumulator = new SummaryAccumulator(
    config.feedSize,
    marketplace.users.length,
    marketplace.items.length,
  );
  const startMs = startMilliseconds(config);
  let reportedDays = 0;
  let impressions = 0;
  let requests = 0;
  const reportDaysUntil = (day: number) => {
    while (reportedDays < day) {
      reportedDays++;
      options.onProgress?.({ day: reportedDays, days: config.days, requests, impressions });
    }
  };

  for (const logged of marketplace.runLoggedFeed(policy)) {
    reportDaysUntil(Math.floor((logged.request.timeMs - startMs) / dayMilliseconds));
    writeRequest(writer, logged);
    accumulator.add(logged);
    requests++;
    impressions += logged.feed.length;
  }
  reportDaysUntil(config.days);
  return accumulator.summary();
}

/** The content of `ground-truth.json`. */
function groundTruth(marketplace: Marketplace, policy: FeedPolicy, summary: SimulationSummary) {
  return {
    generator: 'gfr marketplace simulator',
    config: marketplace.config,
    policy: policy.name,
    summary,
    model: {
      click: { ...clickModel, examination: 'position ^ -positionDecay' },
      purchase: purchaseModel,
      catalogue: catalogueShape,
      population: populationShape,
      geographies,
      acquisitionChannels,
      ageBands,
      devices,
    },
  };
}

function writeCatalogue(writer: CanonicalTableWriter, marketplace: Marketplace): void {
  for (const item of marketplace.items) {
    writer.addItem({
      item_id: item.id,
      category: item.category,
      brand: item.brand,
      price: item.price,
      created_at: item.launchedAt,
      rating: item.rating,
      discount: item.discount,
    });
  }
  for (const user of marketplace.users) {
    writer.addUser({
      user_id: user.id,
      geo: user.geo,
      acquisition_channel: user.acquisitionChannel,
      attributes: JSON.stringify({ age_band: user.ageBand, device: user.device }),
    });
  }
}

/** Writes a request's impressions and what followed them; clicks and later events carry the
 * request id, position and channel of the impression they follow (not its propensity). */
function writeRequest(writer: CanonicalTableWriter, logged: LoggedRequest): void {
  const { request, feed, outcomes } = logged;
  const userId = request.user.id;
  for (let index = 0; index < feed.length; index++) {
    const shown = feed[index];
    const itemId = shown.item.id;
    const context = { position: shown.position, channel: shown.channel, request_id: request.id };
    writer.addEvent({
      ts: request.time,
      user_id: userId,
      item_id: itemId,
      type: 'impression',
      ...context,
      propensity: shown.propensity,
    });
    const outcome = outcomes[index];
    if (!outcome) continue;
    writer.addEvent({
      ts: new Date(outcome.clickMs),
      user_id: userId,
      item_id: itemId,
      type: 'click',
      ...context,
    });
    if (outcome.cartMs !== null) {
      writer.addEvent({
        ts: new Date(outcome.cartMs),
        user_id: userId,
        item_id: itemId,
        type: 'cart',
        ...context,
      });
    }
    if (outcome.purchaseMs !== null) {
      writer.addEvent({
        ts: new Date(outcome.purchaseMs),
        user_id: userId,
        item_id: itemId,
        type: 'purchase',
        ...context,
      });
    }
  }
}
