import { Command, InvalidArgumentError as CommanderArgumentError, Option } from 'commander';
import * as path from 'node:path';
import { loadArtifact } from '@gfr/core';
import {
  FeedRanker,
  MaterializeReport,
  RankedFeedResult,
  SqliteFeatureStore,
  materializeFeatureStore,
  transportForEndpoint,
} from '@gfr/client';

import { GlobalOptions, commandLogger, printResult, whileHoldingOutput } from '../output';
import { createProgress } from '../progress';
import { requireModel } from './options';

/** `gfr materialize`: canonical tables + a model's feature settings → the SQLite online store. */
export function materializeCommand(): Command {
  return new Command('materialize')
    .description(
      'write the online feature store (latest aggregates, candidate lists) as one SQLite file',
    )
    .requiredOption('--tables <dir>', 'folder of canonical tables (from gfr ingest or simulate)')
    .requiredOption('--model <path>', 'artifact folder or model.tar.gz whose half-life to use')
    .requiredOption('--out <file>', 'SQLite file to write (replaced atomically)')
    .option('--popularity <n>', 'items of the popularity list', parseWholeNumber)
    .option('--recent <n>', 'items of the recent list', parseWholeNumber)
    .option('--exploit <n>', "items of each user's exploit list (0: none)", parseWholeNumber)
    .option('--category-top <n>', "items of each category's top list (explore)", parseWholeNumber)
    .action(
      async (
        flags: {
          tables: string;
          model: string;
          out: string;
          popularity?: number;
          recent?: number;
          exploit?: number;
          categoryTop?: number;
        },
        command: Command,
      ) => {
        const options = command.optsWithGlobals<GlobalOptions>();
        const { manifest } = await loadArtifact(requireModel(flags.model));
        const channelSizes = Object.fromEntries(
          Object.entries({
            popularity: flags.popularity,
            recent: flags.recent,
            exploitPerUser: flags.exploit,
            categoryTop: flags.categoryTop,
          }).filter(([, value]) => value !== undefined),
        );
        const outFile = path.resolve(flags.out);
        const progress = createProgress(options);
        const report = await whileHoldingOutput(outFile, 'materialize', () =>
          progress.step('materialize', () =>
            materializeFeatureStore({
              tablesDir: path.resolve(flags.tables),
              outFile,
              featureSettings: manifest.feature_settings,
              modelVersion: manifest.model_version,
              channelSizes,
              logger: commandLogger(options),
            }),
          ),
        ).finally(() => progress.stop());
        printResult(options, report, () => formatMaterializeReport(report));
      },
    );
}

/** Flags of an endpoint ranking (see {@link endpointRankOptions}). */
export interface EndpointRankFlags {
  user: string;
  endpoint: string;
  store: string;
  k: number;
  variant?: string;
  /** When to rank for (see `--at`). */
  at?: 'store' | 'now' | number;
}

/**
 * The options `gfr rank` needs to rank through an endpoint instead of in-process: `--endpoint`,
 * `--store`, `--variant`, `--at`; `gfr rank` adds them to its own.
 */
export function endpointRankOptions(): Option[] {
  return [
    new Option('--endpoint <address>', 'http://host:port, sagemaker:NAME or an endpoint ARN'),
    new Option(
      '--store <file>',
      'online feature store (from gfr materialize; default gfr-out/store.sqlite)',
    ),
    new Option('--variant <name>', 'production variant to route to'),
    new Option(
      '--at <time>',
      'rank for: "store" (just after its last event), "now" (endpoint clock) or an ISO time',
    )
      .argParser(parseRankTime)
      .default('store'),
  ];
}

/** The action of an endpoint ranking: ranks and prints the feed (a table, or JSON with --json). */
export async function rankWithEndpoint(
  flags: EndpointRankFlags,
  options: GlobalOptions,
): Promise<RankedFeedResult> {
  const time = flags.at ?? 'store';
  const transport = transportForEndpoint(flags.endpoint);
  const store = new SqliteFeatureStore(path.resolve(flags.store));
  try {
    const ranker = new FeedRanker({
      store,
      transport,
      defaults: { time: time === 'store' ? 'store' : 'endpoint' },
      logger: commandLogger(options),
    });
    const feed = await ranker.rank({
      userId: flags.user,
      k: flags.k,
      variant: flags.variant,
      context: typeof time === 'number' ? { time } : {},
    });
    const items = await store.getItems(feed.items.map((item) => item.item_id));
    printResult(options, feed, () =>
      formatEndpointFeed(flags.user, feed, (id) => items.get(id)?.category ?? null),
    );
    return feed;
  } finally {
    await store.close();
    transport.close?.();
  }
}

/** The human summary of a materialization. */
export function formatMaterializeReport(report: MaterializeReport): string {
  const asOf = report.as_of === null ? 'an empty log' : new Date(report.as_of * 1000).toISOString();
  return [
    `online feature store: ${report.file} (${(report.bytes / 1e6).toFixed(1)} MB, ` +
      `${report.seconds.toFixed(1)} s)`,
    `as of ${asOf}, half-life ${(report.half_life_seconds / 86_400).toFixed(2)} days, ` +
      `model ${report.model_version ?? '—'}`,
    ...Object.entries(report.rows).map(([table, rows]) => `  ${table.padEnd(20)} ${rows}`),
  ].join('\n');
}

/** The human table of a feed ranked through an endpoint. */
export function formatEndpointFeed(
  userId: string,
  feed: RankedFeedResult,
  categoryOf: (itemId: string) => string | null,
): string {
  const lines = [
    `feed of user ${userId}${feed.userKnown ? '' : ' (cold start)'}: ${feed.candidates} ` +
      `candidates, model ${feed.modelVersion}, variant ${feed.variant ?? '—'}, ` +
      `request ${feed.requestId}`,
    `store ${feed.timings.storeMs.toFixed(1)} ms, endpoint ${feed.timings.endpointMs.toFixed(1)} ms`,
    [
      'rank',
      'item'.padEnd(14),
      'channel'.padEnd(10),
      'p_ctr',
      '     p_cvr',
      '     score',
      'category',
    ].join(' '),
  ];
  for (const item of feed.items) {
    lines.push(
      [
        String(item.position).padStart(4),
        item.item_id.padEnd(14),
        item.channel.padEnd(10),
        item.p_ctr.toFixed(4),
        item.p_cvr.toFixed(4).padStart(10),
        item.score.toExponential(3).padStart(10),
        categoryOf(item.item_id) ?? '',
      ].join(' '),
    );
  }
  return lines.join('\n');
}

function parseRankTime(value: string): 'store' | 'now' | number {
  if (value === 'store' || value === 'now') return value;
  const milliseconds = Date.parse(value);
  if (Number.isNaN(milliseconds)) {
    throw new CommanderArgumentError(
      `--at: expected "store", "now" or an ISO time, got "${value}"`,
    );
  }
  return milliseconds / 1000;
}

function parseWholeNumber(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) {
    throw new CommanderArgumentError(`expected a whole number ≥ 0, got "${value}"`);
  }
  return parsed;
}
