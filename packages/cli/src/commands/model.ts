import { Command } from 'commander';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  InvalidArgumentError,
  Ranker,
  evaluateArtifact,
  loadArtifact,
  rankUserFeed,
  readTrainingSets,
  trainRanker,
} from '@gfr/core';

import {
  GlobalOptions,
  commandLogger,
  formatMetric,
  printResult,
  whileHoldingOutput,
} from '../output';
import { createProgress } from '../progress';
import { writeReportPage } from '../reports';
import { formatFeed, formatReportSummary } from '../summaries';
import { EndpointRankFlags, endpointRankOptions, rankWithEndpoint } from './client';
import { parsePositiveInteger, requireModel } from './options';

/** `gfr train`: training sets → calibrated heads, the model artifact and report.json. */
export function trainCommand(): Command {
  return new Command('train')
    .description('train and calibrate pCTR and pCVR, evaluate them, write the model artifact')
    .requiredOption('--features <dir>', 'folder of training sets (from gfr features)')
    .requiredOption('--out <dir>', 'folder for model/, model.tar.gz and report.json')
    .option('--rounds <n>', 'maximum boosting rounds per head', parsePositiveInteger)
    .option('--max-depth <n>', 'tree depth', parsePositiveInteger)
    .option('--learning-rate <rate>', 'shrinkage per round', Number)
    .action(
      async (
        flags: {
          features: string;
          out: string;
          rounds?: number;
          maxDepth?: number;
          learningRate?: number;
        },
        command: Command,
      ) => {
        const options = command.optsWithGlobals<GlobalOptions>();
        const outDir = path.resolve(flags.out);
        const progress = createProgress(options);
        const parameters = Object.fromEntries(
          Object.entries({
            rounds: flags.rounds,
            maxDepth: flags.maxDepth,
            learningRate: flags.learningRate,
          }).filter(([, value]) => value !== undefined),
        );
        try {
          // Locked from the start: a second run is refused at once, not after its reading.
          const trained = await whileHoldingOutput(outDir, 'train', async () => {
            const prepared = await progress.step('read training sets', () =>
              readTrainingSets(path.resolve(flags.features)),
            );
            const result = await trainRanker(prepared, outDir, {
              parameters,
              logger: commandLogger(options),
              onRound: progress.onRound,
              data: { features: path.resolve(flags.features) },
            });
            return { ...result, page: await writeReportPage(result.reportPath) };
          });
          progress.stop();
          printResult(
            options,
            { ...trained.report, report_page: trained.page },
            () =>
              `${formatReportSummary(trained.report)}\nreport: ${trained.reportPath}\n` +
              `report page: ${trained.page}`,
          );
        } finally {
          progress.stop();
        }
      },
    );
}

/** `gfr evaluate`: an artifact's metrics on the test part of stored training sets. */
export function evaluateCommand(): Command {
  return new Command('evaluate')
    .description('score the test days of stored training sets with a model artifact')
    .requiredOption('--model <path>', 'artifact folder or model.tar.gz')
    .requiredOption('--features <dir>', 'folder of training sets (from gfr features)')
    .action(async (flags: { model: string; features: string }, command: Command) => {
      const options = command.optsWithGlobals<GlobalOptions>();
      const artifact = await loadArtifact(requireModel(flags.model));
      const progress = createProgress(options);
      const evaluation = await progress
        .step('evaluate', async () =>
          evaluateArtifact(artifact, await readTrainingSets(path.resolve(flags.features))),
        )
        .finally(() => progress.stop());
      printResult(options, evaluation, () => {
        const lines = [`model ${evaluation.model_version} on the ${evaluation.part} part`];
        for (const head of ['ctr', 'cvr'] as const) {
          const metrics = evaluation[head];
          if (!metrics) continue;
          lines.push(
            `${head}: auc ${formatMetric(metrics.auc)} pr_auc ${formatMetric(metrics.pr_auc)} ` +
              `logloss ${formatMetric(metrics.logloss)} gauc ${formatMetric(metrics.gauc)} ` +
              `ece ${formatMetric(metrics.ece)} calibration_ratio ${formatMetric(metrics.calibration_ratio)} ` +
              `(${metrics.rows} rows, ${metrics.positives} positives)`,
          );
        }
        return lines.join('\n');
      });
    });
}

/**
 * `gfr rank`: one user's ranked feed — in-process from the tables and an artifact, or, with
 * `--endpoint`, through the typed client with features from the online store.
 */
export function rankCommand(): Command {
  const command = new Command('rank')
    .description(
      "rank a user's feed: in-process (--tables, --model) or through an endpoint (--endpoint, --store)",
    )
    .requiredOption('--user <id>', 'user id')
    .option('--tables <dir>', 'folder of canonical tables (in-process ranking)')
    .option('--model <path>', 'artifact folder or model.tar.gz (in-process ranking)')
    .option('--k <n>', 'items in the feed', parsePositiveInteger, 10);
  for (const option of endpointRankOptions()) command.addOption(option);

  return command.action(async (flags: RankFlags, self: Command) => {
    const options = self.optsWithGlobals<GlobalOptions>();
    if (flags.endpoint) {
      const store = flags.store ?? defaultStore;
      if (!fs.existsSync(store)) {
        throw new InvalidArgumentError(
          `--endpoint needs an online store: ${store} does not exist ` +
            '(give --store FILE.sqlite, written by `gfr materialize` or `npm start`)',
        );
      }
      await rankWithEndpoint({ ...flags, endpoint: flags.endpoint, store }, options);
      return;
    }
    if (!flags.tables || !flags.model) {
      throw new InvalidArgumentError(
        'give --tables and --model to rank in-process, or --endpoint and --store',
      );
    }
    const ranker = new Ranker(await loadArtifact(requireModel(flags.model)));
    const feed = await rankUserFeed({
      tablesDir: path.resolve(flags.tables),
      ranker,
      userId: flags.user,
      k: flags.k,
    });
    printResult(options, feed, () => formatFeed(feed));
  });
}

/** The store `npm start` materializes, used by `gfr rank --endpoint` when no --store is given. */
const defaultStore = path.join('gfr-out', 'store.sqlite');

type RankFlags = Omit<EndpointRankFlags, 'endpoint' | 'store'> & {
  tables?: string;
  model?: string;
  endpoint?: string;
  store?: string;
};

export { formatReportSummary };
