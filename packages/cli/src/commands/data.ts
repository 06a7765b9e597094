import { Command, Option } from 'commander';
import * as path from 'node:path';
import {
  InvalidArgumentError,
  ingestion,
  prepareTrainingSets,
  simulator,
  writeJsonAtomic,
  writeTrainingSets,
} from '@gfr/core';

import { GlobalOptions, commandLogger, printResult, whileHoldingOutput } from '../output';
import { createProgress } from '../progress';
import {
  inputHint,
  parseNonNegativeInteger,
  parsePositiveInteger,
  parseShare,
  requireInput,
  sourceOption,
} from './options';

/** `gfr ingest`: a log in a known format → canonical Parquet tables. */
export function ingestCommand(): Command {
  return new Command('ingest')
    .description('read a log into canonical tables (events, items, users) as Parquet')
    .addOption(sourceOption().makeOptionMandatory())
    .requiredOption('--input <path>', 'log file or folder')
    .requiredOption('--out <dir>', 'folder for the tables')
    .addOption(
      new Option('--max-bad-share <share>', 'largest share of unreadable rows accepted').argParser(
        parseShare,
      ),
    )
    .action(
      async (
        flags: { source: string; input: string; out: string; maxBadShare?: number },
        command: Command,
      ) => {
        const options = command.optsWithGlobals<GlobalOptions>();
        if (flags.source === 'simulator') {
          throw new InvalidArgumentError('use `gfr simulate` to create simulated tables');
        }
        requireInput(flags.input, inputHint(flags.source));
        const outDir = path.resolve(flags.out);
        const progress = createProgress(options);
        try {
          const report = await whileHoldingOutput(outDir, 'ingest', async () => {
            const ingested = await ingestion.ingest({
              source: flags.source as ingestion.SourceFormat,
              input: flags.input,
              outDir,
              maxBadRowShare: flags.maxBadShare,
              logger: commandLogger(options),
              onProgress: (rows, bytes, total) => progress.onRows?.(rows, total, bytes),
            });
            writeJsonAtomic(path.join(outDir, 'ingest-report.json'), ingested);
            return ingested;
          });
          progress.stop();
          printResult(options, report, () =>
            [
              `tables: ${report.outDir}`,
              `events ${report.counts.events}, items ${report.counts.items}, users ${report.counts.users}`,
              `events by type: ${JSON.stringify(report.eventsByType)}`,
              `unreadable rows: ${report.badRowCount} (${(report.badRowShare * 100).toFixed(3)} %)`,
              ...report.badRows
                .slice(0, 5)
                .map((bad) => `  ${bad.file}:${bad.line}: ${bad.reason}`),
              ...(report.badRowCount > 5
                ? [
                    `  … and ${report.badRowCount - 5} more; ` +
                      `${path.join(report.outDir, 'ingest-report.json')} lists the first ` +
                      `${report.badRows.length}`,
                  ]
                : []),
              ...report.notes.map((note) => `note: ${note}`),
            ].join('\n'),
          );
        } finally {
          progress.stop();
        }
      },
    );
}

/** `gfr simulate`: the built-in marketplace → canonical Parquet tables and its ground truth. */
export function simulateCommand(): Command {
  return new Command('simulate')
    .description('simulate a marketplace and write its canonical tables and ground truth')
    .requiredOption('--out <dir>', 'folder for the tables')
    .option('--users <n>', 'users', parsePositiveInteger)
    .option('--items <n>', 'items', parsePositiveInteger)
    .option('--days <n>', 'days', parsePositiveInteger)
    .option('--seed <n>', 'seed', parseNonNegativeInteger)
    .action(
      async (
        flags: { out: string; users?: number; items?: number; days?: number; seed?: number },
        command: Command,
      ) => {
        const options = command.optsWithGlobals<GlobalOptions>();
        const config = Object.fromEntries(
          Object.entries({
            users: flags.users,
            items: flags.items,
            days: flags.days,
            seed: flags.seed,
          }).filter(([, value]) => value !== undefined),
        );
        const outDir = path.resolve(flags.out);
        const progress = createProgress(options);
        const report = await whileHoldingOutput(outDir, 'simulate', () =>
          progress.step('simulate', () =>
            simulator.simulateMarketplace(config, outDir, { logger: commandLogger(options) }),
          ),
        ).finally(() => progress.stop());
        printResult(
          options,
          report,
          () => `tables: ${path.resolve(flags.out)}\n${formatSimulationSummary(report.summary)}`,
        );
      },
    );
}

/** `gfr features`: canonical tables → point-in-time training sets of both heads. */
export function featuresCommand(): Command {
  return new Command('features')
    .description('build point-in-time training sets (pCTR and pCVR examples), split by time')
    .requiredOption('--tables <dir>', 'folder of canonical tables (from ingest or simulate)')
    .requiredOption('--out <dir>', 'folder for the training sets')
    .action(async (flags: { tables: string; out: string }, command: Command) => {
      const options = command.optsWithGlobals<GlobalOptions>();
      const outDir = path.resolve(flags.out);
      const progress = createProgress(options);
      const prepared = await whileHoldingOutput(outDir, 'features', async () => {
        const sets = await progress.step('features', () =>
          prepareTrainingSets(path.resolve(flags.tables), undefined, commandLogger(options)),
        );
        await progress.step('write training sets', () => writeTrainingSets(outDir, sets));
        return sets;
      }).finally(() => progress.stop());
      const summary = {
        out: path.resolve(flags.out),
        ctr_examples: prepared.ctr.labels.length,
        cvr_examples: prepared.cvr?.labels.length ?? 0,
        reconstructed_impressions: prepared.reconstructedImpressions,
        split: prepared.split,
        notes: prepared.notes,
      };
      printResult(options, summary, () =>
        [
          `training sets: ${summary.out}`,
          `pCTR examples ${summary.ctr_examples}, pCVR examples ${summary.cvr_examples}`,
          ...summary.notes.map((note) => `note: ${note}`),
        ].join('\n'),
      );
    });
}

/** The simulated log in a few lines: volumes, rates, and CTR per candidate channel. */
function formatSimulationSummary(summary: simulator.SimulationSummary): string {
  const percent = (value: number) => `${(100 * value).toFixed(2)} %`;
  const channels = Object.entries(summary.ctrByChannel)
    .map(([channel, rate]) => `${channel} ${percent(rate.ctr)} of ${rate.impressions}`)
    .join(', ');
  return [
    `${summary.requests} requests from ${summary.activeUsers} users, ` +
      `${summary.impressions} impressions of ${summary.itemsShown} items`,
    `${summary.clicks} clicks (CTR ${percent(summary.ctr)}), ${summary.carts} carts, ` +
      `${summary.purchases} purchases (CVR ${percent(summary.cvr)} of clicks)`,
    `CTR by channel: ${channels}`,
    '(--json prints every figure, by position and acquisition channel too)',
  ].join('\n');
}
