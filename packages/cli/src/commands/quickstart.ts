import { Command, Option } from 'commander';
import * as path from 'node:path';
import { InvalidArgumentError, runQuickstart } from '@gfr/core';

import { GlobalOptions, commandLogger, printResult, whileHoldingOutput } from '../output';
import { createProgress } from '../progress';
import { writeReportPage } from '../reports';
import { formatFeed, formatReportSummary } from '../summaries';
import { rankThroughLocalEndpoint } from './endpoint-demo';
import {
  inputHint,
  parseNonNegativeInteger,
  parsePositiveInteger,
  parseShare,
  requireInput,
  sourceOption,
} from './options';

interface QuickstartFlags extends GlobalOptions {
  source: 'simulator' | 'taobao' | 'rees46' | 'open-bandit' | 'generic';
  input?: string;
  out: string;
  users?: number;
  days?: number;
  seed?: number;
  user?: string;
  k: number;
  rounds?: number;
  maxBadShare?: number;
  throughEndpoint: number;
}

/** `gfr quickstart`: ingest (or simulate), features, train, evaluate and rank, in one go. */
export function quickstartCommand(): Command {
  return new Command('quickstart')
    .description(
      'run the whole pipeline: ingest or simulate, features, train, evaluate, rank one feed',
    )
    .addOption(sourceOption().default('simulator'))
    .option('--input <path>', 'log file or folder (required unless --source simulator)')
    .option('--out <dir>', 'output folder (tables, training sets, model, report.json)', 'gfr-out')
    .option('--users <n>', 'simulated users', parsePositiveInteger)
    .option('--days <n>', 'simulated days', parsePositiveInteger)
    .option('--seed <n>', 'simulator seed', parseNonNegativeInteger)
    .option('--user <id>', 'user whose feed is ranked at the end (default: the most active)')
    .option('--k <n>', 'items in the ranked feed', parsePositiveInteger, 10)
    .option('--rounds <n>', 'maximum boosting rounds per head', parsePositiveInteger)
    .option(
      '--through-endpoint <users>',
      'then serve the model locally and rank this many users through the client over HTTP',
      parseNonNegativeInteger,
      0,
    )
    .addOption(
      new Option('--max-bad-share <share>', 'largest share of unreadable rows accepted').argParser(
        parseShare,
      ),
    )
    .action(async (flags: QuickstartFlags, command: Command) => {
      const options = { ...command.optsWithGlobals<GlobalOptions>(), ...flags };
      if (flags.source !== 'simulator') {
        if (flags.input === undefined) {
          throw new InvalidArgumentError(
            `--input is required for source ${flags.source}: pass --input PATH of a ` +
              `${flags.source} log (file or folder), or leave out --source to run on the ` +
              'built-in simulator',
          );
        }
        requireInput(flags.input, inputHint(flags.source));
      } else if (flags.input !== undefined) {
        throw new InvalidArgumentError(
          `--input ${flags.input} needs --source: the simulator reads no log; pass --source ` +
            'taobao, rees46, open-bandit or generic to say what the log is',
        );
      }
      const outDir = path.resolve(flags.out);
      const progress = createProgress(options);
      try {
        const simulator = Object.fromEntries(
          Object.entries({ users: flags.users, days: flags.days, seed: flags.seed }).filter(
            ([, value]) => value !== undefined,
          ),
        );
        const { result, served } = await whileHoldingOutput(outDir, 'quickstart', async () => {
          const pipeline = await runQuickstart({
            source: flags.source,
            input: flags.input,
            outDir,
            simulator,
            user: flags.user,
            k: flags.k,
            maxBadRowShare: flags.maxBadShare,
            parameters: flags.rounds ? { rounds: flags.rounds } : undefined,
            logger: commandLogger(options),
            progress,
          });
          const page = await writeReportPage(pipeline.reportPath);
          const endpoint =
            flags.throughEndpoint > 0
              ? await progress.step('serve and rank through the endpoint', () =>
                  rankThroughLocalEndpoint(
                    outDir,
                    flags.throughEndpoint,
                    flags.k,
                    commandLogger(options),
                  ),
                )
              : null;
          return { result: { ...pipeline, page }, served: endpoint };
        });
        progress.stop();
        printResult(
          options,
          {
            report_path: result.reportPath,
            report_page: result.page,
            report: result.report,
            feed: result.feed,
            endpoint_feeds: served?.feeds.map(({ user_id, feed }) => ({ user_id, feed })),
          },
          () =>
            [
              formatReportSummary(result.report),
              `report: ${result.reportPath}`,
              `report page: ${result.page}`,
              '',
              formatFeed(result.feed),
              ...(served
                ? [
                    '',
                    `through the local endpoint ${served.endpoint} (features from ${served.store}):`,
                    ...served.feeds.map((feed) => feed.text),
                  ]
                : []),
            ].join('\n'),
        );
      } finally {
        progress.stop();
      }
    });
}
