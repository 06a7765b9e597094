import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { GfrError, InvalidArgumentError, Logger, defaultLogger } from '@gfr/core';

import { ServeConfigurationError } from './errors';
import { optMlRootFromEnvironment, sageMakerLayout } from './sagemaker-layout';
import { serveStopSignal, serveWithWorkers } from './serve-workers';
import { parseWindow, runEvaluationJob, runProcessingJob } from './processing-jobs';
import { runTrainingJob } from './training-job';

/** Options of {@link main}; the defaults are those of the real container. */
export interface EntryOptions {
  /** @default process.env */
  env?: NodeJS.ProcessEnv;
  logger?: Logger;
  /** Ends `serve` and `train` like SIGTERM does. @default SIGTERM or SIGINT of this process */
  stop?: AbortSignal;
  /** Called with the address once `serve` listens. */
  onListening?: (address: string) => void;
  /** Where `train` prints metric lines. @default process.stdout */
  metricsOutput?: { write(text: string): unknown };
  /** Where usage help goes after a bad command line. @default process.stderr */
  usageOutput?: { write(text: string): unknown };
}

const usage = `usage: entry.js serve [--model-dir DIR] [--port N] [--host HOST] [--workers N]
                     [--capture-dir DIR] [--capture-percent P]
       entry.js train
       entry.js process --window JSON [--shards N]
       entry.js evaluate
environment: SAGEMAKER_BIND_TO_PORT (default 8080), GFR_MODEL_DIR, GFR_SERVE_WORKERS (default:
  one per CPU), GFR_CAPTURE_DIR, GFR_CAPTURE_PERCENT, GFR_CAPTURE_ENDPOINT, GFR_CAPTURE_VARIANT,
  GFR_OPT_ML (default /opt/ml), GFR_RETRAIN_WINDOW (process's --window),
  GFR_XGBOOST_SHARDS (process's --shards, default 4)`;

/**
 * The container's entry point: `serve` runs the ranker server on the model SageMaker unpacked
 * into /opt/ml/model until SIGTERM; `train` runs a SageMaker training job (see
 * `runTrainingJob`); `process` and `evaluate` are the retraining chain's Processing steps (see
 * `processing-jobs.ts`). Resolves to the process exit code: 0 success, 1 failure, 2 bad usage.
 */
export async function main(argv: string[], options: EntryOptions = {}): Promise<number> {
  const env = options.env ?? process.env;
  const logger = options.logger ?? defaultLogger.child({ component: 'entry' });
  const [command, ...rest] = argv;

  const processSignal = options.stop ? null : serveStopSignal();
  const stop = options.stop ?? processSignal!.signal;
  try {
    if (command === 'serve') {
      await serve(rest, env, logger, stop, options.onListening);
      return 0;
    }
    if (command === 'train') {
      if (rest.length > 0) {
        throw new InvalidArgumentError(`train takes no arguments, got: ${rest.join(' ')}`);
      }
      return await runTrainingJob({
        root: optMlRootFromEnvironment(env),
        logger,
        stop,
        metricsOutput: options.metricsOutput,
      });
    }
    if (command === 'process') {
      let values: { window?: string; shards?: string };
      try {
        values = parseArgs({
          args: rest,
          options: { window: { type: 'string' }, shards: { type: 'string' } },
        }).values;
      } catch (error) {
        throw new InvalidArgumentError(`process: ${(error as Error).message}\n${usage}`);
      }
      await runProcessingJob({
        root: optMlRootFromEnvironment(env),
        window: parseWindow(values.window ?? env.GFR_RETRAIN_WINDOW),
        shards: readInteger('shards', values.shards ?? env.GFR_XGBOOST_SHARDS ?? '4', 1, 1000),
        logger,
      });
      return 0;
    }
    if (command === 'evaluate') {
      if (rest.length > 0) {
        throw new InvalidArgumentError(`evaluate takes no arguments, got: ${rest.join(' ')}`);
      }
      await runEvaluationJob({ root: optMlRootFromEnvironment(env), logger });
      return 0;
    }
    const problem = command ? `unknown command "${command}"` : 'no command';
    (options.usageOutput ?? process.stderr).write(`${problem}\n${usage}\n`);
    return 2;
  } catch (error) {
    const usageError =
      error instanceof ServeConfigurationError || error instanceof InvalidArgumentError;
    logger.error(usageError ? 'invalid usage' : 'failed', {
      code: error instanceof GfrError ? error.code : 'INTERNAL',
      error: error instanceof Error ? error.message : String(error),
    });
    return usageError ? 2 : 1;
  } finally {
    processSignal?.dispose();
  }
}

async function serve(
  args: string[],
  env: NodeJS.ProcessEnv,
  logger: Logger,
  stop: AbortSignal,
  onListening: ((address: string) => void) | undefined,
): Promise<void> {
  let values: Record<string, string | undefined>;
  try {
    values = parseArgs({
      args,
      options: {
        'model-dir': { type: 'string' },
        port: { type: 'string' },
        host: { type: 'string' },
        'capture-dir': { type: 'string' },
        'capture-percent': { type: 'string' },
        workers: { type: 'string' },
      },
    }).values;
  } catch (error) {
    throw new ServeConfigurationError(`${(error as Error).message}\n${usage}`);
  }

  const modelDir =
    values['model-dir'] ??
    env.GFR_MODEL_DIR ??
    sageMakerLayout(optMlRootFromEnvironment(env)).model;
  const capturePercent = values['capture-percent'] ?? env.GFR_CAPTURE_PERCENT;
  const workers = values.workers ?? env.GFR_SERVE_WORKERS;
  await serveWithWorkers({
    modelDir: path.resolve(modelDir),
    port: readInteger('port', values.port ?? env.SAGEMAKER_BIND_TO_PORT ?? '8080', 0, 65_535),
    // The container must answer SageMaker's host agent; local runs pass --host 127.0.0.1.
    host: values.host ?? '0.0.0.0',
    captureDir: values['capture-dir'] ?? env.GFR_CAPTURE_DIR,
    captureSamplePercent:
      capturePercent === undefined
        ? undefined
        : readInteger('capture percent', capturePercent, 0, 100),
    captureEndpointName: env.GFR_CAPTURE_ENDPOINT,
    captureVariantName: env.GFR_CAPTURE_VARIANT,
    workers:
      workers === undefined ? os.availableParallelism() : readInteger('workers', workers, 1, 64),
    workerEntry: { script: __filename, args: ['serve', ...args] },
    logger,
    stop,
    onListening,
  });
}

/** Reads an integer setting, naming it and its value when it is not one within [min, max]. */
export function readInteger(name: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isInteger(value) || value < min || value > max) {
    throw new ServeConfigurationError(`${name} must be an integer in ${min}–${max}, got "${text}"`);
  }
  return value;
}

/** Runs {@link main} on this process's arguments and exits with its code. */
export function runFromCommandLine(): void {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`entry failed: ${String(error)}\n`);
      process.exit(1);
    },
  );
}

if (require.main === module) runFromCommandLine();
