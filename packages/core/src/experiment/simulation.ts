import * as fs from 'node:fs';
import * as path from 'node:path';

import { writeFileAtomic } from '../io/atomic';
import { Logger, silentLogger } from '../log';
import {
  MarketplaceConfig,
  MarketplaceConfigInput,
  resolveMarketplaceConfig,
} from '../simulator/config';
import { Marketplace } from '../simulator/marketplace';
import { FeedPolicy, FeedRequest, ShownItem } from '../simulator/policy';
import { SimulationReport, simulateMarketplace } from '../simulator/simulate';
import { ExperimentAssigner, ExperimentDefinition } from './assignment';
import { InvalidExperimentError } from './errors';
import { ExperimentLogWriter, definitionFileName, experimentPrefix } from './experiment-log';
import { PrePeriodRecord } from './pre-period';

const dayMilliseconds = 86_400_000;

/** When the experiment starts within a simulated period. */
export interface ExperimentTimeline {
  /** The marketplace; `days` is the whole period (pre-period and experiment). */
  marketplace: MarketplaceConfigInput;
  /** Days before the experiment: the training data and CUPED's pre-period. */
  preDays: number;
}

/** The experiment's start, epoch milliseconds; checks that both phases have days. */
export function experimentStartMs(timeline: ExperimentTimeline): number {
  const config = resolveMarketplaceConfig(timeline.marketplace);
  if (!Number.isInteger(timeline.preDays) || timeline.preDays < 1) {
    throw new InvalidExperimentError('preDays', timeline.preDays, 'must be a whole number ≥ 1');
  }
  if (timeline.preDays >= config.days) {
    throw new InvalidExperimentError(
      'preDays',
      timeline.preDays,
      `must be below days (${config.days})`,
    );
  }
  return Date.parse(config.start) + timeline.preDays * dayMilliseconds;
}

/**
 * Writes the canonical tables of the pre-period only (the logging policy's traffic before the
 * experiment starts), for training the model the experiment will test. The same seed and
 * period make these exactly the first days of {@link simulateExperiment}'s run.
 */
export async function simulatePrePeriodTables(
  timeline: ExperimentTimeline,
  tablesDir: string,
  logger: Logger = silentLogger,
): Promise<SimulationReport> {
  const startMs = experimentStartMs(timeline);
  const marketplace = new Marketplace(timeline.marketplace);
  const policy = new PhasedPolicy(marketplace.loggingPolicy(), startMs, () => null);
  return simulateMarketplace(timeline.marketplace, tablesDir, { policy, logger });
}

/** Options of {@link simulateExperiment}. */
export interface ExperimentSimulationOptions extends ExperimentTimeline {
  definition: ExperimentDefinition;
  /** The policy serving each arm (the holdout is served by the control's). */
  policies: Readonly<Record<string, FeedPolicy>>;
  /** Root of the logs: they go under `<root>/experiments/<name>/`. */
  root: string;
  logger?: Logger;
  /** Called after each simulated experiment day. */
  onDay?: (day: number, days: number) => void;
}

/** What {@link simulateExperiment} wrote. */
export interface ExperimentSimulationResult {
  /** `<root>/experiments/<name>`. */
  directory: string;
  exposures: string;
  outcomes: string;
  prePeriod: string;
  definition: string;
  config: MarketplaceConfig;
  experimentStart: string;
  /** Requests served per arm during the experiment. */
  requests: Record<string, number>;
  clicks: number;
  purchases: number;
}

/**
 * Runs the marketplace with an experiment: before the start every user sees the logging
 * policy (the pre-period, recorded per user for CUPED); from the start each arriving user is
 * assigned by the salted hash and served by the arm's policy, and the feed is logged as an
 * exposure, the clicks and purchases the ground truth draws as outcomes (purchase revenue: the
 * price after discount). Writes `experiment.json`, the exposure and outcome logs and
 * `pre-period.jsonl`, replacing logs of an earlier run of the same experiment under `root`.
 */
export function simulateExperiment(
  options: ExperimentSimulationOptions,
): ExperimentSimulationResult {
  const logger = (options.logger ?? silentLogger).child({ component: 'experiment-simulation' });
  const startMs = experimentStartMs(options);
  const assigner = new ExperimentAssigner(options.definition);
  const experiment = assigner.experiment;
  for (const variant of experiment.variants) {
    if (!options.policies[variant.name]) {
      throw new InvalidExperimentError(`policies.${variant.name}`, undefined, 'must be given');
    }
  }
  const directory = path.join(options.root, experimentPrefix(experiment.name));
  fs.rmSync(directory, { recursive: true, force: true });
  fs.mkdirSync(directory, { recursive: true });
  writeFileAtomic(
    path.join(directory, definitionFileName),
    JSON.stringify(options.definition, null, 2) + '\n',
  );

  const marketplace = new Marketplace(options.marketplace);
  const config = marketplace.config;
  const served = new Map<string, string>();
  const policy = new PhasedPolicy(marketplace.loggingPolicy(), startMs, (request) => {
    const assignment = assigner.assign(request.user.id);
    served.set(request.id, assignment.variant);
    const arm = assignment.holdout ? experiment.control : assignment.variant;
    return options.policies[arm];
  });

  const writer = new ExperimentLogWriter({
    root: options.root,
    experiment: experiment.name,
    writerId: 'simulation',
  });
  const prePeriod = new Map<string, PrePeriodRecord>();
  const requests: Record<string, number> = {};
  let clicks = 0;
  let purchases = 0;
  let reportedDay = 0;
  const experimentDays = Math.round(
    (Date.parse(config.start) + config.days * dayMilliseconds - startMs) / dayMilliseconds,
  );
  try {
    for (const { request, feed, outcomes } of marketplace.runLoggedFeed(policy)) {
      if (request.timeMs < startMs) {
        recordPrePeriod(prePeriod, request, feed, outcomes);
        continue;
      }
      const day = Math.floor((request.timeMs - startMs) / dayMilliseconds);
      while (reportedDay < day) {
        reportedDay++;
        options.onDay?.(reportedDay, experimentDays);
      }
      const variant = served.get(request.id)!;
      served.delete(request.id);
      requests[variant] = (requests[variant] ?? 0) + 1;
      writer.writeExposure({
        type: 'exposure',
        experiment: experiment.name,
        user_id: request.user.id,
        variant,
        request_id: request.id,
        time: request.time.toISOString(),
        items: feed.map((shown) => ({ item_id: shown.item.id, position: shown.position })),
      });
      feed.forEach((shown, index) => {
        const outcome = outcomes[index];
        if (!outcome) return;
        const base = { user_id: request.user.id, request_id: request.id, item_id: shown.item.id };
        writer.writeOutcome({
          type: 'click',
          ...base,
          time: new Date(outcome.clickMs).toISOString(),
        });
        clicks++;
        if (outcome.purchaseMs === null) return;
        writer.writeOutcome({
          type: 'purchase',
          ...base,
          time: new Date(outcome.purchaseMs).toISOString(),
          revenue: revenueOf(shown),
        });
        purchases++;
      });
    }
  } finally {
    writer.close();
  }
  options.onDay?.(experimentDays, experimentDays);

  const prePeriodFile = path.join(directory, 'pre-period.jsonl');
  writeFileAtomic(
    prePeriodFile,
    [...prePeriod.values()].map((row) => JSON.stringify(row) + '\n').join(''),
  );
  logger.info('experiment simulated', { directory, requests, clicks, purchases });
  return {
    directory,
    exposures: path.join(directory, 'exposures'),
    outcomes: path.join(directory, 'outcomes'),
    prePeriod: prePeriodFile,
    definition: path.join(directory, definitionFileName),
    config,
    experimentStart: new Date(startMs).toISOString(),
    requests,
    clicks,
    purchases,
  };
}

/** Revenue of a purchase: the list price after discount, to the cent. */
function revenueOf(shown: ShownItem): number {
  return Math.round(shown.item.price * (1 - shown.item.discount) * 100) / 100;
}

function recordPrePeriod(
  prePeriod: Map<string, PrePeriodRecord>,
  request: FeedRequest,
  feed: readonly ShownItem[],
  outcomes: readonly ({ purchaseMs: number | null } | null)[],
): void {
  const userId = request.user.id;
  let row = prePeriod.get(userId);
  if (!row) {
    row = { user_id: userId, impressions: 0, clicks: 0, purchases: 0, revenue: 0 };
    prePeriod.set(userId, row);
  }
  row.impressions += feed.length;
  feed.forEach((shown, index) => {
    const outcome = outcomes[index];
    if (!outcome) return;
    row!.clicks++;
    if (outcome.purchaseMs !== null) {
      row!.purchases++;
      row!.revenue = Math.round((row!.revenue + revenueOf(shown)) * 100) / 100;
    }
  });
}

/**
 * The logging policy before the experiment's start, then the policy `after` picks for each
 * request (none: an empty feed, which ends the traffic's effect on the logs). Before the start
 * the draws are exactly the logging policy's, so every run shares the same pre-period.
 */
class PhasedPolicy implements FeedPolicy {
  readonly name = 'experiment';

  constructor(
    private readonly before: FeedPolicy,
    private readonly startMs: number,
    private readonly after: (request: FeedRequest) => FeedPolicy | null,
  ) {}

  rank(request: FeedRequest): ShownItem[] {
    if (request.timeMs < this.startMs) return this.before.rank(request);
    return this.after(request)?.rank(request) ?? [];
  }
}
