import { Command } from 'commander';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  GateDecision,
  InvalidArgumentError,
  ModelMetrics,
  defaultGateSettings,
  evaluateArtifact,
  gateCandidate,
  loadArtifact,
  modelMetricsFromDocument,
  readTrainingSets,
} from '@gfr/core';

import { GlobalOptions, printResult } from '../output';
import { parseShare, requireInput } from './options';

/**
 * Exit code of `gfr deploy --gate` when the gate rejects the candidate (0 when it accepts, 1 on
 * failure, 2 on invalid arguments).
 */
export const gateRejectedExitCode = 4;

/** Flags of `gfr deploy`. */
interface DeployFlags {
  gate?: boolean;
  candidate: string;
  champion?: string;
  features?: string;
  aucTolerance: number;
  logLossTolerance: number;
  maxCalibrationError: number;
}

/**
 * `gfr deploy --gate`: the deploy handler's promotion gate on two local artifacts. With
 * `--features` both are scored on the same test days (the fair comparison); without, each
 * artifact's own test metrics are compared (report.json beside model/, else the manifest).
 */
export function deployCommand(): Command {
  return new Command('deploy')
    .description(
      `gate a candidate model against the champion; exit ${gateRejectedExitCode} when rejected`,
    )
    .option('--gate', 'apply the promotion gate (the only local deploy step)')
    .requiredOption('--candidate <path>', 'candidate: run folder, artifact folder or model.tar.gz')
    .option('--champion <path>', 'champion, the same forms; leave out when nothing serves yet')
    .option('--features <dir>', 'training sets whose test days both models are scored on')
    .option(
      '--auc-tolerance <value>',
      'how much lower the AUC may be',
      Number,
      defaultGateSettings.aucTolerance,
    )
    .option(
      '--log-loss-tolerance <share>',
      'how much higher the log loss may be, relative',
      parseShare,
      defaultGateSettings.logLossTolerance,
    )
    .option(
      '--max-calibration-error <value>',
      'largest expected calibration error',
      parseShare,
      defaultGateSettings.maxCalibrationError,
    )
    .action(async (flags: DeployFlags, command: Command) => {
      const options = command.optsWithGlobals<GlobalOptions>();
      if (!flags.gate) {
        throw new InvalidArgumentError(
          "gfr deploy runs the promotion gate only (--gate); endpoint updates are the deploy handler's",
        );
      }
      const features = flags.features
        ? await readTrainingSets(requireInput(flags.features, 'run gfr features first'))
        : null;
      const metricsOf = async (location: string): Promise<ModelMetrics> => {
        const resolved = requireInput(
          location,
          'give a run folder, artifact folder or model.tar.gz',
        );
        if (features) {
          const evaluation = evaluateArtifact(
            await loadArtifact(modelLocation(resolved)),
            features,
          );
          return modelMetricsFromDocument(
            {
              models: {
                ctr: { test: evaluation.ctr },
                cvr: evaluation.cvr ? { test: evaluation.cvr } : undefined,
              },
            },
            resolved,
          );
        }
        const report = path.join(resolved, 'report.json');
        if (fs.existsSync(report)) {
          return modelMetricsFromDocument(JSON.parse(fs.readFileSync(report, 'utf8')), report);
        }
        return modelMetricsFromDocument((await loadArtifact(resolved)).manifest, resolved);
      };

      const candidate = await metricsOf(flags.candidate);
      const champion = flags.champion ? await metricsOf(flags.champion) : null;
      const decision = gateCandidate(candidate, champion, {
        ...defaultGateSettings,
        aucTolerance: flags.aucTolerance,
        logLossTolerance: flags.logLossTolerance,
        maxCalibrationError: flags.maxCalibrationError,
      });
      printResult(
        options,
        { candidate: candidate.source, champion: champion?.source ?? null, ...decision },
        () =>
          formatDecision(decision, candidate, champion) +
          (champion && !features
            ? '\nnote: each model was measured on its own test days; pass --features DIR to ' +
              'score both on the same ones'
            : ''),
      );
      if (!decision.accepted) process.exitCode = gateRejectedExitCode;
    });
}

/** A run folder holds model/; an artifact folder or tarball is the model itself. */
function modelLocation(resolved: string): string {
  const inner = path.join(resolved, 'model');
  return fs.existsSync(path.join(inner, 'manifest.json')) ? inner : resolved;
}

function formatDecision(
  decision: GateDecision,
  candidate: ModelMetrics,
  champion: ModelMetrics | null,
): string {
  return [
    `candidate ${candidate.source}`,
    `champion  ${champion?.source ?? 'none (only calibration is checked)'}`,
    ...decision.checks.map((check) => `  ${check.passed ? 'pass' : 'FAIL'}  ${check.reason}`),
    decision.accepted ? 'accepted: the candidate may serve as challenger' : 'rejected',
  ].join('\n');
}
