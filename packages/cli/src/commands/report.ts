import { Command } from 'commander';
import * as path from 'node:path';

import { GlobalOptions, printResult, whileHoldingOutput } from '../output';
import { writeReportPage } from '../reports';
import { requireInput } from './options';

/** `gfr report`: renders any gfr report.json as a self-contained HTML page. */
export function reportCommand(): Command {
  return new Command('report')
    .description(
      'render a report.json (training, evaluation, drift check, experiment) as an HTML page',
    )
    .requiredOption('--input <file>', 'the report.json to render')
    .option('--out <file>', 'where to write the page (default: report.html beside the input)')
    .action(async (flags: { input: string; out?: string }, command: Command) => {
      const options = command.optsWithGlobals<GlobalOptions>();
      const input = requireInput(
        flags.input,
        'pass --input the report.json of gfr train, retrain, drift --report or ab',
      );
      const page = path.resolve(flags.out ?? path.join(path.dirname(input), 'report.html'));
      const written = await whileHoldingOutput(page, 'report', () => writeReportPage(input, page));
      printResult(options, { input, report_page: written }, () => `report page: ${written}`);
    });
}
