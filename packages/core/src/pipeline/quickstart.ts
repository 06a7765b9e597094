import * as path from 'node:path';

import { loadArtifact } from '../artifact/load-artifact';
import { Ranker } from '../artifact/ranker';
import { DuckSession } from '../duckdb/database';
import { InvalidArgumentError } from '../errors';
import { registerCanonicalTables } from '../features/aggregate-sql';
import { GbdtParameters } from '../gbdt';
import { IngestReport, SourceFormat, ingest } from '../ingest';
import { Logger, silentLogger } from '../log';
import { MarketplaceConfigInput, simulateMarketplace } from '../simulator';
import { RankedFeed, rankUserFeed } from './rank-user';
import { RoundListener } from './train-heads';
import {
  PreparationSettings,
  defaultPreparationSettings,
  prepareTrainingSets,
} from './training-sets';
import { trainRanker } from './train-ranker';
import { writeTrainingSets } from './training-set-store';

/** Where quickstart's data comes from: the built-in simulator or a log in a known format. */
export type QuickstartSource = 'simulator' | SourceFormat;

/** The steps of the pipeline, in order, as progress reports name them. */
export type PipelineStep = 'ingest' | 'features' | 'train' | 'rank';

/** Progress callbacks; every member is optional. */
export interface PipelineProgress {
  /** A step started or finished; `detail` says what it did. */
  onStep?(step: PipelineStep, state: 'start' | 'done', detail?: Record<string, unknown>): void;
  /** A boosting round of a head finished. */
  onRound?: RoundListener;
  /** Rows read by ingestion so far, out of an estimate when one exists. */
  onRows?(rowsRead: number, totalBytes: number, bytesRead: number): void;
}

/** Options of {@link runQuickstart}. */
export interface QuickstartOptions {
  source: QuickstartSource;
  /** The log file or folder; unused for the simulator. */
  input?: string;
  outDir: string;
  simulator?: MarketplaceConfigInput;
  maxBadRowShare?: number;
  preparation?: PreparationSettings;
  parameters?: Partial<GbdtParameters>;
  /** User whose feed is ranked at the end; default: the most active user. */
  user?: string;
  k?: number;
  logger?: Logger;
  progress?: PipelineProgress;
}

/** The outcome of {@link runQuickstart}. */
export interface QuickstartResult {
  report: Record<string, unknown>;
  reportPath: string;
  feed: RankedFeed;
}

/**
 * The whole loop on one machine: ingest (or simulate) into `<outDir>/tables`, build
 * point-in-time training sets (kept in `<outDir>/features`), train and calibrate pCTR and pCVR, evaluate them against the
 * baselines on the test days, write the artifact and `report.json`, and rank one user's feed.
 */
export async function runQuickstart(options: QuickstartOptions): Promise<QuickstartResult> {
  const logger = options.logger ?? silentLogger;
  const progress = options.progress ?? {};
  const tablesDir = path.join(options.outDir, 'tables');

  progress.onStep?.('ingest', 'start');
  const data = await loadData(options, tablesDir, logger, progress);
  progress.onStep?.('ingest', 'done', data);

  progress.onStep?.('features', 'start');
  const prepared = await prepareTrainingSets(
    tablesDir,
    options.preparation ?? defaultPreparationSettings,
    logger,
  );
  await writeTrainingSets(path.join(options.outDir, 'features'), prepared);
  progress.onStep?.('features', 'done', {
    ctrExamples: prepared.ctr.labels.length,
    cvrExamples: prepared.cvr?.labels.length ?? 0,
  });

  progress.onStep?.('train', 'start');
  const trained = await trainRanker(prepared, options.outDir, {
    parameters: options.parameters,
    logger,
    onRound: progress.onRound,
    data,
  });
  progress.onStep?.('train', 'done', { artifact: trained.artifact.tarball });

  progress.onStep?.('rank', 'start');
  const ranker = new Ranker(await loadArtifact(trained.artifact.directory));
  const user = options.user ?? (await mostActiveUser(tablesDir));
  const feed = await rankUserFeed({ tablesDir, ranker, userId: user, k: options.k ?? 10 });
  progress.onStep?.('rank', 'done', { user });

  return { report: trained.report, reportPath: trained.reportPath, feed };
}

async function loadData(
  options: QuickstartOptions,
  tablesDir: string,
  logger: Logger,
  progress: PipelineProgress,
): Promise<Record<string, unknown>> {
  if (options.source === 'simulator') {
    const simulation = await simulateMarketplace(options.simulator ?? {}, tablesDir, { logger });
    return { source: 'simulator', tables: tablesDir, simulation: simulation.summary };
  }
  if (!options.input) {
    throw new InvalidArgumentError(`--input is required for source ${options.source}`);
  }
  const report: IngestReport = await ingest({
    source: options.source,
    input: options.input,
    outDir: tablesDir,
    maxBadRowShare: options.maxBadRowShare,
    logger,
    onProgress: (rowsRead, bytesRead, totalBytes) =>
      progress.onRows?.(rowsRead, totalBytes, bytesRead),
  });
  return { source: options.source, input: options.input, tables: tablesDir, ingest: report };
}

/** The user with the most clicks, then events, in the tables (ties by id): a feed with history. */
export async function mostActiveUser(tablesDir: string): Promise<string> {
  const [user] = await mostActiveUsers(tablesDir, 1);
  return user;
}

/** The `count` users with the most clicks, then events (ties by id); throws on empty tables. */
export async function mostActiveUsers(tablesDir: string, count: number): Promise<string[]> {
  const session = await DuckSession.open();
  try {
    await registerCanonicalTables(session, tablesDir);
    const rows = await session.jsonRows(`
      SELECT user_id FROM event_facts GROUP BY user_id
      ORDER BY count(*) FILTER (WHERE type = 'click') DESC, count(*) DESC, user_id
      LIMIT ${Math.max(1, Math.floor(count))}`);
    if (rows.length === 0) throw new InvalidArgumentError(`${tablesDir} holds no events`);
    return rows.map((row) => String(row.user_id));
  } finally {
    session.close();
  }
}
