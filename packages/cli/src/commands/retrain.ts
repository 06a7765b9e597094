import { Command, InvalidArgumentError as CommanderArgumentError } from 'commander';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  InvalidArgumentError,
  computeRetrainWindow,
  defaultRetrainWindowSettings,
  eventTimeSpan,
  prepareTrainingSets,
  retrainJobName,
  trainRanker,
  windowPreparationSettings,
  writeWindowTables,
} from '@gfr/core';

import { GlobalOptions, commandLogger, printResult, whileHoldingOutput } from '../output';
import { createProgress } from '../progress';
import { writeReportPage } from '../reports';
import { formatReportSummary } from '../summaries';
import { parsePositiveInteger, requireInput } from './options';

/** Flags of `gfr retrain`. */
interface RetrainFlags {
  tables: string;
  out: string;
  group: string;
  dataEnd?: string;
  trainDays: number;
  validationDays: number;
  testDays: number;
  gapHours: number;
  rounds?: number;
}

/**
 * `gfr retrain`: what the retraining chain does in the cloud, on this machine. Computes the
 * latest windows the tables allow, names the run as the retrain handler would, cuts the tables
 * to the window, builds the training sets and trains, writing a new artifact and report.json.
 */
export function retrainCommand(): Command {
  const days = (value: string) => {
    const parsed = Number(value);
    if (!(Number.isFinite(parsed) && parsed > 0)) {
      throw new CommanderArgumentError(`expected a positive number of days, got "${value}"`);
    }
    return parsed;
  };
  return new Command('retrain')
    .description('retrain on the latest windows of the tables (as the retrain handler would)')
    .requiredOption('--tables <dir>', 'canonical tables (events.parquet or events/dt=.../)')
    .requiredOption('--out <dir>', 'folder for model/, model.tar.gz and report.json')
    .option('--group <name>', 'model package group the run is named after', 'gfr-ranker')
    .option('--data-end <time>', 'retrain as if the data ended here (ISO time)')
    .option(
      '--train-days <n>',
      'days of training data',
      days,
      defaultRetrainWindowSettings.trainDays,
    )
    .option(
      '--validation-days <n>',
      'days of validation data',
      days,
      defaultRetrainWindowSettings.validationDays,
    )
    .option('--test-days <n>', 'days of test data', days, defaultRetrainWindowSettings.testDays)
    .option('--gap-hours <n>', 'hours left out before validation and test', Number, 0)
    .option('--rounds <n>', 'maximum boosting rounds per head', parsePositiveInteger)
    .action(async (flags: RetrainFlags, command: Command) => {
      const options = command.optsWithGlobals<GlobalOptions>();
      const logger = commandLogger(options);
      const tablesDir = requireInput(
        flags.tables,
        'give canonical tables (gfr ingest or gfr simulate)',
      );
      const outDir = path.resolve(flags.out);

      const span = await eventTimeSpan(tablesDir);
      const dataEnd = flags.dataEnd === undefined ? span.end : new Date(flags.dataEnd);
      if (Number.isNaN(dataEnd.getTime())) {
        throw new InvalidArgumentError(`--data-end "${flags.dataEnd}" is not an ISO time`);
      }
      const window = computeRetrainWindow(span.start, dataEnd < span.end ? dataEnd : span.end, {
        trainDays: flags.trainDays,
        validationDays: flags.validationDays,
        testDays: flags.testDays,
        gapHours: flags.gapHours,
      });
      const jobName = retrainJobName(flags.group, window);
      logger.info('retraining window', { job_name: jobName, window });

      const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gfr-retrain-'));
      const progress = createProgress(options);
      try {
        const cut = await progress.step('cut tables to the window', () =>
          writeWindowTables(tablesDir, window, workDir),
        );
        const prepared = await progress.step('build training sets', () =>
          prepareTrainingSets(workDir, windowPreparationSettings(window), logger),
        );
        const trained = await whileHoldingOutput(outDir, 'retrain', async () => {
          const result = await trainRanker(prepared, outDir, {
            parameters: flags.rounds === undefined ? {} : { rounds: flags.rounds },
            logger,
            onRound: progress.onRound,
            data: {
              source: 'gfr retrain',
              tables: tablesDir,
              job_name: jobName,
              window,
              events: cut.events,
            },
          });
          return { ...result, page: await writeReportPage(result.reportPath) };
        });
        progress.stop();
        printResult(
          options,
          { job_name: jobName, window, report: trained.report, report_page: trained.page },
          () =>
            [
              `run ${jobName}: train from ${window.trainStart}, validation from ${window.validationStart}, ` +
                `test ${window.testStart} to ${window.testEnd} (${cut.events} events)`,
              formatReportSummary(trained.report),
              `report: ${trained.reportPath}`,
              `report page: ${trained.page}`,
            ].join('\n'),
        );
      } finally {
        progress.stop();
        fs.rmSync(workDir, { recursive: true, force: true });
      }
    });
}
