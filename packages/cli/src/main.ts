#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

import { ingestCommand, featuresCommand, simulateCommand } from './commands/data';
import { materializeCommand } from './commands/client';
import { abCommand } from './commands/ab';
import { driftCommand } from './commands/drift';
import { deployCommand } from './commands/deploy';
import { retrainCommand } from './commands/retrain';
import { evaluateCommand, rankCommand, trainCommand } from './commands/model';
import { predictCommand } from './commands/predict';
import { serveCommand } from './commands/serve';
import { quickstartCommand } from './commands/quickstart';
import { reportCommand } from './commands/report';
import { GlobalOptions, exitCodes, reportFailure } from './output';

/**
 * Builds the `gfr` program with its global options and subcommands. With `quietUsageErrors`
 * commander prints nothing of its own for a usage error (the caller reports it, as JSON).
 */
export function buildProgram(quietUsageErrors = false): Command {
  const program = new Command('gfr')
    .description('gfr — learn, evaluate and serve a pCTR × pCVR feed ranker')
    .option('--json', 'print one JSON document on stdout')
    .option('--quiet', 'print nothing but errors')
    .option('--verbose', 'print debug logs as JSON lines on stderr')
    .version(version(), '--version', 'print the version of gfr')
    .showHelpAfterError('(run gfr --help for usage)')
    .exitOverride();
  for (const command of [
    quickstartCommand(),
    ingestCommand(),
    simulateCommand(),
    featuresCommand(),
    trainCommand(),
    evaluateCommand(),
    rankCommand(),
    materializeCommand(),
    serveCommand(),
    driftCommand(),
    abCommand(),
    retrainCommand(),
    deployCommand(),
    predictCommand(),
    reportCommand(),
  ]) {
    program.addCommand(command.exitOverride().showHelpAfterError('(run gfr --help for usage)'));
  }
  if (quietUsageErrors) {
    for (const command of [program, ...program.commands]) {
      command.configureOutput({ outputError: () => undefined });
      command.showHelpAfterError(false);
    }
  }
  return program;
}

function version(): string {
  // The package manifest sits one folder above both src/ and dist/.
  const manifest = readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8');
  return (JSON.parse(manifest) as { version: string }).version;
}

/** Runs gfr with `argv` (as in process.argv) and resolves to the exit code. */
export async function run(argv: string[]): Promise<number> {
  // --json promises one JSON document, usage errors included; commander's text is withheld.
  const json = argv.slice(2).includes('--json');
  const program = buildProgram(json);
  try {
    await program.parseAsync(argv);
    // A command that finished with a verdict (gfr drift) sets the exit code itself.
    return typeof process.exitCode === 'number' ? process.exitCode : exitCodes.ok;
  } catch (error) {
    // Commander has printed its own message for usage errors (unless --json), help and --version.
    if (error instanceof CommanderError) {
      const finished = ['commander.helpDisplayed', 'commander.version', 'commander.help'];
      if (finished.includes(error.code)) return exitCodes.ok;
      if (json) {
        const message = error.message.replace(/^error: /, '');
        process.stderr.write(JSON.stringify({ error: { code: error.code, message } }) + '\n');
      }
      return exitCodes.usage;
    }
    return reportFailure(error, program.opts<GlobalOptions>());
  }
}

if (require.main === module) {
  run(process.argv).then((code) => {
    process.exitCode = code;
  });
}
