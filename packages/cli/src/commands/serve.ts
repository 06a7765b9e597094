import { Command, InvalidArgumentError as CommanderArgumentError } from 'commander';
import * as path from 'node:path';
import { Logger } from '@gfr/core';
import { serveStopSignal, serveWithWorkers } from '@gfr/inference-image';

import { GlobalOptions } from '../output';
import { parsePositiveInteger, requireModel } from './options';

/**
 * `gfr serve`: the inference server of the container image, on this machine. Same routes and
 * behaviour as the SageMaker endpoint (`GET /ping`, `POST /invocations`, local Data Capture);
 * listens on 127.0.0.1 unless told otherwise and runs until SIGINT or SIGTERM.
 */
export function serveCommand(): Command {
  return new Command('serve')
    .description('serve a model artifact over HTTP as the SageMaker endpoint does')
    .requiredOption('--model <path>', 'artifact folder or model.tar.gz')
    .option('--port <n>', 'TCP port (0 picks a free one)', parseIntegerIn('port', 0, 65_535), 8080)
    .option('--host <address>', 'address to listen on (0.0.0.0 for every interface)', '127.0.0.1')
    .option('--capture <dir>', 'write SageMaker Data Capture records under this folder')
    .option(
      '--capture-percent <p>',
      'share of invocations captured, 0–100',
      parseIntegerIn('capture percent', 0, 100),
      100,
    )
    .option('--workers <n>', 'server processes sharing the port', parsePositiveInteger, 1)
    .action(
      async (
        flags: {
          model: string;
          port: number;
          host: string;
          capture?: string;
          capturePercent: number;
          workers: number;
        },
        command: Command,
      ) => {
        const options = command.optsWithGlobals<GlobalOptions>();
        const level = options.verbose ? 'debug' : options.quiet ? 'warn' : 'info';
        const modelDir = requireModel(flags.model);
        const stop = serveStopSignal();
        let address = '';
        try {
          await serveWithWorkers({
            modelDir,
            port: flags.port,
            host: flags.host,
            captureDir: flags.capture ? path.resolve(flags.capture) : undefined,
            captureSamplePercent: flags.capturePercent,
            workers: flags.workers,
            // Each worker runs this same command line and serves instead of forking.
            workerEntry: { script: process.argv[1], args: process.argv.slice(2) },
            logger: new Logger({ service: 'gfr' }, level),
            stop: stop.signal,
            onListening: (listening) => {
              address = listening;
            },
            // Announced once the model is loaded: a folder that is no artifact fails before
            // anything says it is served.
            onReady: () => {
              if (options.json) {
                process.stdout.write(JSON.stringify({ address, model: modelDir }) + '\n');
              } else if (!options.quiet) {
                process.stdout.write(`serving ${modelDir} on ${address} (Ctrl-C to stop)\n`);
              }
            },
          });
        } finally {
          stop.dispose();
        }
      },
    );
}

function parseIntegerIn(name: string, min: number, max: number): (value: string) => number {
  return (value) => {
    const parsed = Number(value);
    if (value.trim() === '' || !Number.isInteger(parsed) || parsed < min || parsed > max) {
      throw new CommanderArgumentError(
        `${name} must be an integer in ${min}–${max}, got "${value}"`,
      );
    }
    return parsed;
  };
}
