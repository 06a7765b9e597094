#!/usr/bin/env node
import { Command } from 'commander';

import { ingestCommand, featuresCommand, simulateCommand } from './commands/data';
import { evaluateCommand, rankCommand, trainCommand } from './commands/model';
import { quickstartCommand } from './commands/quickstart';
import { GlobalOptions, reportFailure } from './output';

/** Builds the `gfr` program with its global options and subcommands. */
export function buildProgram(): Command {
  const program = new Command('gfr')
    .description('gfr — learn, evaluate and serve a pCTR × pCVR feed ranker')
    .option('--json', 'print one JSON document on stdout')
    .option('--quiet', 'print nothing but errors')
    .option('--verbose', 'print debug logs as JSON lines on stderr')
    .showHelpAfterError('(run gfr --help for usage)');
  for (const command of [
    quickstartCommand(),
    ingestCommand(),
    simulateCommand(),
    featuresCommand(),
    trainCommand(),
    evaluateCommand(),
    rankCommand(),
  ]) {
    program.addCommand(command);
  }
  return program;
}

async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (error) {
    return reportFailure(error, program.opts<GlobalOptions>());
  }
}

if (require.main === module) {
  main(process.argv).then((code) => {
    process.exitCode = code;
  });
}
