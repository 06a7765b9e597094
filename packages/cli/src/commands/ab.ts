import { InvalidArgumentError as CommanderArgumentError, Command, Option } from 'commander';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  Logger,
  assertReplaceable,
  experiment,
  loadArtifact,
  prepareTrainingSets,
  produceAtomically,
  simulator,
  temporarySibling,
  trainRanker,
  writeFileAtomic,
} from '@gfr/core';
import { materializeFeatureStore } from '@gfr/client';

import { GlobalOptions, commandLogger, printResult, whileHoldingOutput } from '../output';
import { writeReportPage } from '../reports';
import { EndpointFeedPolicy } from './ab-endpoint-policy';
import { parseNonNegativeInteger, parsePositiveInteger, parseShare } from './options';
import { formatExperimentReport } from './ab-format';

interface AnalyzeFlags {
  exposures: string;
  outcomes: string;
  prePeriod?: string;
  experiment?: string;
  windowHours: number;
  alpha: number;
  tuningUsers: number;
  report?: string;
}

/** `gfr ab`: analyse an experiment's logs, or simulate one on the marketplace. */
export function abCommand(): Command {
  return new Command('ab')
    .description('A/B experiments: analyse exposure and outcome logs, or simulate an experiment')
    .addCommand(analyzeCommand())
    .addCommand(simulateCommand());
}

function analyzeCommand(): Command {
  return new Command('analyze')
    .description(
      'per-variant CTR, CVR, conversions and revenue per user; lifts with fixed and always-valid ' +
        '95 % intervals; sample-ratio test; optional CUPED',
    )
    .requiredOption('--exposures <path>', 'exposure .jsonl file or folder')
    .requiredOption('--outcomes <path>', 'outcome .jsonl file or folder')
    .option('--pre-period <path>', 'per-user pre-period activity (.jsonl) for CUPED')
    .option('--experiment <file>', 'experiment.json (default: found beside the exposures)')
    .option('--window-hours <hours>', 'attribution window', parsePositiveNumber, 24)
    .option('--alpha <share>', 'significance level', parseShare, 0.05)
    .option(
      '--tuning-users <n>',
      'users at which the always-valid intervals are tightest',
      parsePositiveInteger,
      experiment.defaultSequentialTuningUsers,
    )
    .option(
      '--report <file>',
      'where to write report.json (default: report.json beside the exposures) and its page',
    )
    .action(async (flags: AnalyzeFlags, command: Command) => {
      const options = command.optsWithGlobals<GlobalOptions>();
      const report = experiment.analyzeExperimentLogs({
        exposures: path.resolve(flags.exposures),
        outcomes: path.resolve(flags.outcomes),
        prePeriod: flags.prePeriod ? path.resolve(flags.prePeriod) : undefined,
        definition: flags.experiment ? path.resolve(flags.experiment) : undefined,
        attributionWindowHours: flags.windowHours,
        alpha: flags.alpha,
        sequentialTuningUsers: flags.tuningUsers,
      });
      // Beside the logs, not the working folder, so that nothing of the user's is replaced.
      const reportPath = path.resolve(
        flags.report ?? path.join(path.dirname(path.resolve(flags.exposures)), 'report.json'),
      );
      const page = await whileHoldingOutput(reportPath, 'ab analyze', () => {
        writeFileAtomic(reportPath, JSON.stringify(report, null, 2) + '\n');
        return writeReportPage(reportPath, pagePathOf(reportPath));
      });
      printResult(
        options,
        { ...report, report_page: page },
        () => `${formatExperimentReport(report)}\nreport: ${reportPath}\nreport page: ${page}`,
      );
    });
}

interface SimulateFlags {
  out: string;
  users: number;
  days: number;
  preDays: number;
  seed: number;
  model?: string;
  variants: string;
  weights?: string;
  holdout: number;
  rounds?: number;
  name: string;
}

function simulateCommand(): Command {
  return new Command('simulate')
    .description(
      'simulate an experiment: train a model on the pre-period, serve it through the local ' +
        'endpoint against popularity and random feeds, log exposures and outcomes, analyse',
    )
    .option('--out <dir>', 'output folder (tables, model, store, logs, report.json)', 'ab-out')
    .option('--users <n>', 'simulated users', parsePositiveInteger, 4000)
    .option('--days <n>', 'simulated days in all', parsePositiveInteger, 21)
    .option(
      '--pre-days <n>',
      'days before the experiment (training, CUPED)',
      parsePositiveInteger,
      14,
    )
    .option('--seed <n>', 'simulator seed', parseNonNegativeInteger, 7)
    .option('--model <dir>', 'serve this model instead of training one on the pre-period')
    .option(
      '--variants <list>',
      'arms, control first (model, popularity, random)',
      'popularity,model',
    )
    .option('--weights <list>', 'relative weights of the arms (default: equal)')
    .addOption(
      new Option('--holdout <share>', 'share of users held out').argParser(parseShare).default(0),
    )
    .option('--rounds <n>', 'maximum boosting rounds per head when training', parsePositiveInteger)
    .option('--name <name>', 'experiment name', 'ranker-vs-popularity')
    .action(async (flags: SimulateFlags, command: Command) => {
      const options = command.optsWithGlobals<GlobalOptions>();
      const logger = commandLogger(options);
      const result = await whileHoldingOutput(path.resolve(flags.out), 'ab simulate', () =>
        simulateAbExperiment(flags, logger, options.verbose ? 'debug' : 'warn'),
      );
      printResult(options, result, () =>
        [
          formatExperimentReport(result.report),
          `model: ${result.model} (served by ${result.endpoint})`,
          `logs: ${result.logs}`,
          `report: ${result.report_path}`,
          `report page: ${result.report_page}`,
        ].join('\n'),
      );
    });
}

/** What `gfr ab simulate` did. */
export interface AbSimulationResult {
  model: string;
  endpoint: string;
  logs: string;
  report_path: string;
  /** The report's HTML page beside it. */
  report_page: string;
  requests: Record<string, number>;
  report: experiment.ExperimentReport;
}

async function simulateAbExperiment(
  flags: SimulateFlags,
  logger: Logger,
  logLevel: 'debug' | 'warn',
): Promise<AbSimulationResult> {
  const outDir = path.resolve(flags.out);
  const variants = flags.variants.split(',').map((name) => name.trim());
  const weights = flags.weights?.split(',').map(Number) ?? variants.map(() => 1);
  if (weights.length !== variants.length) {
    throw new experiment.InvalidExperimentError(
      'weights',
      flags.weights ?? '',
      `must give ${variants.length} numbers`,
    );
  }
  const known = new Set(['model', 'popularity', 'random']);
  const unknown = variants.find((variant) => !known.has(variant));
  if (unknown)
    throw new experiment.InvalidExperimentError(
      'variants',
      unknown,
      'must be model, popularity or random',
    );
  const definition: experiment.ExperimentDefinition = {
    name: flags.name,
    variants: variants.map((name, index) => ({ name, weight: weights[index] })),
    holdout: flags.holdout > 0 ? { share: flags.holdout } : undefined,
  };
  experiment.resolveExperiment(definition);
  const logsDir = path.join(outDir, experiment.experimentPrefix(definition.name));
  assertReplaceable(logsDir, { replaceableEntries: experimentLogEntries });
  const timeline = {
    marketplace: { users: flags.users, days: flags.days, seed: flags.seed },
    preDays: flags.preDays,
  };
  const tablesDir = path.join(outDir, 'tables');

  logger.info('simulating the pre-period', { timeline });
  await experiment.simulatePrePeriodTables(timeline, tablesDir, logger);
  const modelDir = flags.model
    ? path.resolve(flags.model)
    : await trainOnPrePeriod(tablesDir, outDir, flags, logger);
  const artifact = await loadArtifact(modelDir);
  const storeFile = path.join(outDir, 'store.sqlite');
  await materializeFeatureStore({
    tablesDir,
    outFile: storeFile,
    featureSettings: artifact.manifest.feature_settings,
    modelVersion: artifact.manifest.model_version,
    logger,
  });

  const needsModel = variants.includes('model');
  const started = needsModel
    ? await EndpointFeedPolicy.start({ modelDir, storeFile, definition, logLevel })
    : null;
  let simulation: experiment.ExperimentSimulationResult;
  try {
    const policies: Record<string, simulator.FeedPolicy> = {
      popularity: new experiment.PopularityFeedPolicy(),
      random: new experiment.RandomFeedPolicy(),
      ...(started ? { model: started.policy } : {}),
    };
    simulation = await simulateLogsAtomically(logsDir, {
      ...timeline,
      definition,
      policies,
      logger,
    });
    if (started && started.policy.assignmentDisagreements > 0) {
      throw new experiment.InvalidExperimentError(
        'assignment',
        started.policy.assignmentDisagreements,
        'differed between the client and the simulation',
      );
    }
  } finally {
    await started?.policy.close();
  }

  const report = experiment.analyzeExperimentLogs({
    exposures: simulation.exposures,
    outcomes: simulation.outcomes,
    prePeriod: simulation.prePeriod,
    definition: simulation.definition,
  });
  report.notes.push(
    `simulated: seed ${flags.seed}, ${flags.users} users, ${flags.days} days of which ` +
      `${flags.preDays} before the experiment (started ${simulation.experimentStart})`,
  );
  const reportPath = path.join(outDir, 'report.json');
  writeFileAtomic(reportPath, JSON.stringify(report, null, 2) + '\n');
  const reportPage = await writeReportPage(reportPath);
  return {
    model: modelDir,
    endpoint: started?.endpoint ?? 'none',
    logs: simulation.directory,
    report_path: reportPath,
    report_page: reportPage,
    requests: simulation.requests,
    report,
  };
}

/** What `simulateExperiment` writes in an experiment's log folder, and nothing else. */
const experimentLogEntries = [
  experiment.definitionFileName,
  'exposures',
  'outcomes',
  'pre-period.jsonl',
] as const;

/**
 * Simulates the experiment into a scratch root beside `logsDir` and renames its log folder
 * onto `logsDir` only when complete: the simulation's own writer deletes and rewrites the
 * folder in place, so a kill mid-run would leave the previous run's logs gone and a cut-short
 * run's logs looking like a whole experiment. The result's paths name the final folder.
 */
async function simulateLogsAtomically(
  logsDir: string,
  options: Omit<experiment.ExperimentSimulationOptions, 'root'>,
): Promise<experiment.ExperimentSimulationResult> {
  return produceAtomically(
    logsDir,
    async (temporaryDir) => {
      // Named like produceAtomically's own temporaries, so a dead run's scratch is removed too.
      const scratchRoot = temporarySibling(logsDir);
      try {
        const simulation = experiment.simulateExperiment({ ...options, root: scratchRoot });
        fs.renameSync(simulation.directory, temporaryDir);
        const relocate = (location: string) =>
          path.join(logsDir, path.relative(simulation.directory, location));
        return {
          ...simulation,
          directory: logsDir,
          exposures: relocate(simulation.exposures),
          outcomes: relocate(simulation.outcomes),
          prePeriod: relocate(simulation.prePeriod),
          definition: relocate(simulation.definition),
        };
      } finally {
        fs.rmSync(scratchRoot, { recursive: true, force: true });
      }
    },
    { replaceableEntries: experimentLogEntries },
  );
}

async function trainOnPrePeriod(
  tablesDir: string,
  outDir: string,
  flags: SimulateFlags,
  logger: Logger,
): Promise<string> {
  const trainingDir = path.join(outDir, 'training');
  const prepared = await prepareTrainingSets(tablesDir, undefined, logger);
  const trained = await trainRanker(prepared, trainingDir, {
    parameters: flags.rounds ? { rounds: flags.rounds } : undefined,
    logger,
  });
  return trained.artifact.directory;
}

/** Parses a positive number option value, or tells commander which value was wrong. */
function parsePositiveNumber(value: string): number {
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0) {
    throw new CommanderArgumentError(`expected a positive number, got "${value}"`);
  }
  return parsed;
}

/** The page of a report file: `x.json` → `x.html`, any other name gets `.html` added. */
function pagePathOf(reportPath: string): string {
  return reportPath.replace(/\.json$/i, '') + '.html';
}
