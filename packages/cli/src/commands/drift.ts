import { Command } from 'commander';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  CaptureDriftReport,
  DuckSession,
  InputNotFoundError,
  ServedOutcomes,
  checkCaptureDrift,
  defaultDriftThresholds,
  defaultPriorDriftSettings,
  eventsSource,
  loadArtifact,
  outcomeKey,
  writeFileAtomic,
} from '@gfr/core';
import { readCaptureRecords } from '@gfr/inference-image';

import { GlobalOptions, exitCodes, formatMetric, printResult, whileHoldingOutput } from '../output';
import { writeReportPage } from '../reports';
import { parsePositiveInteger, parseShare, requireInput, requireModel } from './options';

/** Flags of `gfr drift`. */
interface DriftFlags {
  model: string;
  capture: string;
  outcomes?: string;
  psi: number;
  js: number;
  minRows: number;
  priorShift: number;
  report?: string;
}

/**
 * `gfr drift`: the drift-check Lambda's check on local captures: per-feature drift (PSI,
 * Jensen–Shannon) of captured requests against the model's training data, and prior drift of
 * the served pCTR and pCVR against the training rates (and against observed click and purchase
 * rates with `--outcomes`). Exit 3 when anything drifted.
 */
export function driftCommand(): Command {
  return new Command('drift')
    .description(
      'measure feature drift (PSI, Jensen–Shannon) and prior drift of captured requests; exit 3 on drift',
    )
    .requiredOption('--model <path>', 'artifact folder or model.tar.gz')
    .requiredOption('--capture <path>', 'Data Capture folder or .jsonl file (gfr serve --capture)')
    .option('--outcomes <dir>', 'canonical tables whose clicks and purchases join the served items')
    .option('--psi <value>', 'PSI threshold', Number, defaultDriftThresholds.psi)
    .option(
      '--js <value>',
      'Jensen–Shannon threshold',
      parseShare,
      defaultDriftThresholds.jensenShannon,
    )
    .option(
      '--min-rows <n>',
      'fewest candidates (and served items) to judge at all',
      parsePositiveInteger,
      defaultDriftThresholds.minimumRows,
    )
    .option(
      '--prior-shift <share>',
      'relative gap of predicted and observed rates of served items that is prior drift',
      parseShare,
      defaultPriorDriftSettings.relativeShift,
    )
    .option('--report <dir>', 'also write report.json and its page report.html into this folder')
    .action(async (flags: DriftFlags, command: Command) => {
      const options = command.optsWithGlobals<GlobalOptions>();
      const artifact = await loadArtifact(requireModel(flags.model));
      const captured = await readCaptureRecords(
        requireInput(
          flags.capture,
          'pass --capture the Data Capture folder (or a .jsonl file) of `gfr serve --capture DIR`',
        ),
      );
      if (captured.files.length === 0) {
        throw new InputNotFoundError(
          path.resolve(flags.capture),
          `no capture files (*.jsonl) in ${flags.capture} — point --capture at the folder given ` +
            'to `gfr serve --capture DIR` once it has served requests',
        );
      }
      const outcomes = flags.outcomes
        ? await readServedOutcomes(requireInput(flags.outcomes, 'give canonical tables'))
        : null;
      const report = checkCaptureDrift(
        artifact,
        captured,
        {
          features: { psi: flags.psi, jensenShannon: flags.js, minimumRows: flags.minRows },
          prior: { relativeShift: flags.priorShift, minimumItems: flags.minRows },
        },
        outcomes,
      );
      if (report.requests === 0) {
        const first = captured.malformed[0] ?? report.unreadable_examples[0];
        throw new InputNotFoundError(
          path.resolve(flags.capture),
          `no readable request in the ${captured.files.length} capture files of ` +
            `${flags.capture} (${captured.malformedLines} malformed lines, ` +
            `${report.unreadable_requests} requests that are not gfr invocations)` +
            (first
              ? `; the first bad line is ${first.file ?? '?'}:${first.line ?? '?'}: ${first.reason}`
              : '') +
            ' — nothing to judge; point --capture at what `gfr serve --capture DIR` wrote',
        );
      }
      const page = flags.report ? await writeDriftReport(flags.report, report) : null;
      printResult(options, page ? { ...report, report_page: page } : report, () =>
        [
          formatDriftReport(report),
          ...report.malformed_examples
            .slice(0, 5)
            .map((bad) => `malformed line ${bad.file}:${bad.line}: ${bad.reason}`),
          ...report.unreadable_examples
            .slice(0, 5)
            .map(
              (bad) => `unreadable request ${bad.file ?? '?'}:${bad.line ?? '?'}: ${bad.reason}`,
            ),
          ...(flags.outcomes && report.prior.heads.every((head) => head.observed_items === 0)
            ? [
                `no served item matched a click or purchase in ${flags.outcomes}: outcomes join ` +
                  'by the request id the endpoint answered, so they must be logged from its feeds',
              ]
            : []),
          ...(page ? [`report page: ${page}`] : []),
        ].join('\n'),
      );
      if (report.drifted) process.exitCode = exitCodes.drift;
    });
}

/**
 * Writes the drift report as `report.json` and `report.html` into `folder`, holding the folder's
 * output lock so that two checks writing the same folder cannot mix their files; returns the
 * page. Each file is written atomically. Shortcoming: a kill between the two writes leaves a
 * new `report.json` beside the previous run's `report.html`.
 */
async function writeDriftReport(folder: string, report: CaptureDriftReport): Promise<string> {
  const directory = path.resolve(folder);
  return whileHoldingOutput(directory, 'drift', () => {
    const reportPath = path.join(directory, 'report.json');
    fs.mkdirSync(directory, { recursive: true });
    writeFileAtomic(reportPath, `${JSON.stringify(report, null, 2)}\n`);
    return writeReportPage(reportPath);
  });
}

/** Clicks and purchases with a request id in canonical events, keyed by request and item. */
async function readServedOutcomes(tablesDir: string): Promise<ServedOutcomes> {
  const session = await DuckSession.open();
  try {
    const rows = await session.jsonRows(`SELECT DISTINCT request_id, item_id, type
      FROM ${eventsSource(tablesDir)} WHERE request_id IS NOT NULL`);
    const requests = new Set<string>();
    const clicks = new Set<string>();
    const purchases = new Set<string>();
    for (const row of rows) {
      requests.add(String(row.request_id));
      const key = outcomeKey(String(row.request_id), String(row.item_id));
      if (row.type === 'click') clicks.add(key);
      if (row.type === 'purchase') purchases.add(key);
    }
    return { requests, clicks, purchases };
  } finally {
    session.close();
  }
}

/** The human form of a drift report: one line per feature, then the priors. */
export function formatDriftReport(report: CaptureDriftReport): string {
  const share = (value: number | null) => (value === null ? '—' : value.toFixed(5));
  const shift = (value: number | null) =>
    value === null ? '—' : `${value >= 0 ? '+' : ''}${(value * 100).toFixed(1)} %`;
  return [
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
    [
      'head'.padEnd(6),
      'training',
      ' served',
      '    shift',
      'observed',
      'predicted',
      '    shift',
      'drifted',
    ].join(' '),
    ...report.prior.heads.map((head) =>
      [
        head.head.padEnd(6),
        share(head.training_prior).padStart(8),
        share(head.mean_predicted).padStart(7),
        shift(head.relative_shift).padStart(9),
        share(head.observed_rate).padStart(8),
        share(head.predicted_rate_of_observed).padStart(9),
        shift(head.observed_shift).padStart(9),
        (head.judged
          ? head.drifted
            ? 'yes'
            : 'no'
          : head.observed_items === 0
            ? 'unknown'
            : 'too few'
        ).padStart(7),
      ].join(' '),
    ),
    report.drifted
      ? `drift in ${report.drifted_features.length} features` +
        (report.drifted_features.length ? `: ${report.drifted_features.join(', ')}` : '') +
        (report.prior.drifted_heads.length
          ? `; prior drift in ${report.prior.drifted_heads.join(', ')}`
          : '')
      : report.features.some((feature) => feature.judged)
        ? 'no drift beyond the thresholds'
        : 'too few observations to judge any feature (fewer than --min-rows); no drift reported',
  ].join('\n');
}
