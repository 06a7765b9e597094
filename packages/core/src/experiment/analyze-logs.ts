import * as fs from 'node:fs';
import * as path from 'node:path';

import { analyzeExperiment } from './analysis';
import { ExperimentDefinition, ResolvedExperiment, resolveExperiment } from './assignment';
import { joinExperiment } from './attribution';
import { ExperimentLogError, InsufficientExperimentDataError } from './errors';
import { definitionFileName, readExposures, readOutcomes } from './experiment-log';
import { readPrePeriod } from './pre-period';
import { ExperimentReport, MalformedLine } from './report';

/** Default attribution window: an outcome counts for a feed shown at most 24 h before it. */
export const defaultAttributionWindowHours = 24;

/** Options of {@link analyzeExperimentLogs}. */
export interface ExperimentLogAnalysisOptions {
  /** Exposure `.jsonl` file, or a folder searched recursively. */
  exposures: string;
  /** Outcome `.jsonl` file, or a folder searched recursively. */
  outcomes: string;
  /** Per-user pre-period activity (`.jsonl`) for CUPED; none by default. */
  prePeriod?: string;
  /**
   * The experiment definition (`experiment.json`); default: the one the log layout keeps
   * beside the exposures (`experiments/<name>/experiment.json`), when there is one.
   */
  definition?: string;
  attributionWindowHours?: number;
  alpha?: number;
  sequentialTuningUsers?: number;
  now?: Date;
}

/**
 * Reads an experiment's logs, joins outcomes to exposures within the attribution window and
 * analyses them ({@link analyzeExperiment}). Malformed lines of any file are listed in the
 * report's data quality with file, line, field and reason; the analysis goes on without them.
 */
export function analyzeExperimentLogs(options: ExperimentLogAnalysisOptions): ExperimentReport {
  const definitionPath = options.definition ?? findDefinition(options.exposures);
  const experiment = definitionPath ? readDefinition(definitionPath) : null;
  const exposures = readExposures(options.exposures);
  const outcomes = readOutcomes(options.outcomes);
  const malformed: MalformedLine[] = [...exposures.malformed, ...outcomes.malformed];

  const counts = new Map<string, number>();
  for (const record of exposures.records) {
    counts.set(record.experiment, (counts.get(record.experiment) ?? 0) + 1);
  }
  // Without a definition the most frequent experiment is analysed; the others are set aside.
  const mostFrequent = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0];
  const name = experiment?.name ?? mostFrequent?.[0] ?? 'experiment';
  const kept = exposures.records.filter((record) => record.experiment === name);
  if (kept.length < exposures.records.length) {
    const others = [...counts]
      .filter(([other]) => other !== name)
      .map(([other, count]) => `${other}: ${count}`)
      .join(', ');
    malformed.push({
      file: options.exposures,
      line: 0,
      field: 'experiment',
      reason:
        `${exposures.records.length - kept.length} exposures of other experiments (${others}) ` +
        `were set aside; ${name} was analysed` +
        (experiment ? '' : ' as the most frequent (pass --experiment to choose)'),
    });
  }
  if (kept.length === 0) {
    const examples = malformed
      .slice(0, 3)
      .map((bad) => `${bad.file}:${bad.line}: ${bad.field ?? 'line'}: ${bad.reason}`)
      .join('; ');
    throw new InsufficientExperimentDataError(
      `no exposure of ${name} to analyse in ${options.exposures}: ` +
        `${exposures.records.length} readable exposures, ${exposures.malformed.length} ` +
        `malformed lines` +
        (examples ? ` (${examples})` : '') +
        '; point --exposures at the exposure log (type "exposure" lines)',
    );
  }
  const prePeriod = options.prePeriod ? readPrePeriod(options.prePeriod) : null;
  if (prePeriod) malformed.push(...prePeriod.malformed);

  const windowHours = options.attributionWindowHours ?? defaultAttributionWindowHours;
  const joined = joinExperiment(kept, outcomes.records, windowHours * 3_600_000, malformed);
  const report = analyzeExperiment(joined, {
    experiment: name,
    expectedShares: experiment?.expectedShares ?? null,
    control: experiment?.control,
    alpha: options.alpha,
    sequentialTuningUsers: options.sequentialTuningUsers,
    attributionWindowHours: windowHours,
    prePeriod: prePeriod?.users,
    now: options.now,
  });
  if (malformed.length > 0) {
    report.notes.push(
      `${malformed.length} log lines could not be read (see data_quality.malformed)`,
    );
  }
  return report;
}

/** `experiment.json` in the folder of the logs or up to two levels above it, if any. */
function findDefinition(exposures: string): string | null {
  let folder = path.resolve(exposures);
  if (!fs.existsSync(folder) || fs.statSync(folder).isFile()) folder = path.dirname(folder);
  for (let level = 0; level < 3; level++) {
    const candidate = path.join(folder, definitionFileName);
    if (fs.existsSync(candidate)) return candidate;
    folder = path.dirname(folder);
  }
  return null;
}

function readDefinition(file: string): ResolvedExperiment {
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ExperimentLogError(file, `not a readable JSON experiment definition`, {
      cause: error,
    });
  }
  return resolveExperiment(parsed as ExperimentDefinition);
}
