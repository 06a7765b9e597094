import { Command } from 'commander';
import * as path from 'node:path';
import { checkFeatureDrift, defaultDriftThresholds, loadArtifact } from '@gfr/core';
import { readCaptureRecords } from '@gfr/inference-image';

import { GlobalOptions, exitCodes, formatMetric, printResult } from '../output';
import { parsePositiveInteger, parseShare } from './options';

/** `gfr drift`: feature drift of captured requests against the model's training data. */
export function driftCommand(): Command {
  return new Command('drift')
    .description(
      'measure per-feature drift (PSI, Jensen–Shannon) of captured requests; exit 3 on drift',
    )
    .requiredOption('--model <path>', 'artifact folder or model.tar.gz')
    .requiredOption('--capture <path>', 'Data Capture folder or .jsonl file (gfr serve --capture)')
    .option('--psi <value>', 'PSI threshold', Number, defaultDriftThresholds.psi)
    .option(
      '--js <value>',
      'Jensen–Shannon threshold',
      parseShare,
      defaultDriftThresholds.jensenShannon,
    )
    .option(
      '--min-rows <n>',
      'fewest candidates to judge a feature',
      parsePositiveInteger,
      defaultDriftThresholds.minimumRows,
    )
    .action(
      async (
        flags: { model: string; capture: string; psi: number; js: number; minRows: number },
        command: Command,
      ) => {
        const options = command.optsWithGlobals<GlobalOptions>();
        const artifact = await loadArtifact(path.resolve(flags.model));
        const captured = await readCaptureRecords(path.resolve(flags.capture));
        const invocations = captured.records.flatMap((record) =>
          record.input
            ? [{ requestText: record.input.text, inferenceTime: record.inferenceTime }]
            : [],
        );
        const report = {
          ...checkFeatureDrift(artifact, invocations, {
            psi: flags.psi,
            jensenShannon: flags.js,
            minimumRows: flags.minRows,
          }),
          capture_files: captured.files.length,
          malformed_capture_lines: captured.malformedLines,
        };
        printResult(options, report, () =>
          [
            `model ${report.model_version}: ${report.requests} requests, ${report.candidates} ` +
              `candidates from ${report.capture_files} capture files ` +
              `(${report.malformed_capture_lines} malformed lines, ` +
              `${report.unreadable_requests} unreadable requests)`,
            ['feature'.padEnd(30), '       psi', '        js', ' drifted'].join(' '),
            ...report.features.map((feature) =>
              [
                feature.feature.padEnd(30),
                formatMetric(feature.psi).padStart(10),
                formatMetric(feature.jensen_shannon).padStart(10),
                (feature.judged ? (feature.drifted ? 'yes' : 'no') : 'too few').padStart(8),
              ].join(' '),
            ),
            report.drifted_features.length > 0
              ? `drift in ${report.drifted_features.length} features: ${report.drifted_features.join(', ')}`
              : 'no drift beyond the thresholds',
          ].join('\n'),
        );
        if (report.drifted_features.length > 0) process.exitCode = exitCodes.drift;
      },
    );
}
