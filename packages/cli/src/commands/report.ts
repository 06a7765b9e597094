import { Command } from 'commander';
import * as path from 'node:path';

import { GlobalOptions, printResult } from '../output';
import { writeReportPage } from '../reports';

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
      const input = path.resolve(flags.input);
      const written = await writeReportPage(
        input,
        flags.out === undefined ? undefined : path.resolve(flags.out),
      );
      printResult(options, { input, report_page: written }, () => `report page: ${written}`);
    });
}
