import cluster, { Worker } from 'node:cluster';
import { Logger, defaultLogger } from '@gfr/core';

import { ModelNotReadyError } from './errors';
import {
  ServeUntilStoppedOptions,
  processStopSignal,
  serveUntilStopped,
} from './serve-until-stopped';

/** Options of {@link serveWithWorkers}. */
export interface ServeWithWorkersOptions extends ServeUntilStoppedOptions {
  /** Server processes sharing the port; 1 serves in this process. */
  workers: number;
  /**
   * The script each worker runs and its arguments. It must reach {@link serveWithWorkers}
   * again, which in a worker serves instead of forking (the container entry does).
   */
  workerEntry: { script: string; args: string[] };
}

type WorkerMessage = { type: 'listening'; address: string } | { type: 'ready' };

/**
 * Serves with `workers` processes sharing one port (node:cluster), so that one instance uses
 * all its cores: parsing, validating and scoring a request is CPU work, and one Node process
 * runs it on one core. The primary forwards the stop to every worker and resolves when all
 * have finished their requests and exited. A worker that dies after its model was ready is
 * replaced; one that dies before means the model cannot be served, and everything stops with
 * {@link ModelNotReadyError}. In a worker this function serves (see `serveUntilStopped`).
 */
export async function serveWithWorkers(options: ServeWithWorkersOptions): Promise<void> {
  if (cluster.isWorker) {
    await serveUntilStopped({
      ...options,
      onListening: (address) => sendToPrimary({ type: 'listening', address }),
      onReady: () => sendToPrimary({ type: 'ready' }),
    });
    return;
  }
  if (options.workers <= 1) {
    await serveUntilStopped(options);
    return;
  }
  await superviseWorkers(
    options,
    (options.logger ?? defaultLogger).child({ component: 'primary' }),
  );
}

function superviseWorkers(options: ServeWithWorkersOptions, logger: Logger): Promise<void> {
  cluster.setupPrimary({ exec: options.workerEntry.script, args: options.workerEntry.args });
  const live = new Set<Worker>();
  const ready = new Set<Worker>();
  let stopping = false;
  let announced = false;
  let failure: Error | null = null;

  return new Promise<void>((resolve, reject) => {
    const stopAll = () => {
      stopping = true;
      for (const worker of live) worker.process.kill('SIGTERM');
    };
    const fork = () => {
      const worker = cluster.fork();
      live.add(worker);
      worker.on('message', (message: WorkerMessage) => {
        if (message.type === 'listening' && !announced) {
          announced = true;
          options.onListening?.(message.address);
        }
        if (message.type === 'ready') {
          ready.add(worker);
          if (ready.size === options.workers) {
            logger.info('all workers ready', { workers: options.workers });
            options.onReady?.();
          }
        }
      });
      worker.on('exit', (code, signal) => {
        live.delete(worker);
        if (!stopping) {
          if (!ready.has(worker)) {
            failure = new ModelNotReadyError(
              `server worker ${worker.process.pid} exited (code ${code}, signal ${signal}) ` +
                'before its model was ready; see its log',
            );
            stopAll();
          } else {
            logger.warn('server worker died; starting another', {
              pid: worker.process.pid,
              code,
              signal,
            });
            ready.delete(worker);
            fork();
          }
        } else if (code !== 0) {
          failure ??= new Error(`server worker ${worker.process.pid} exited with code ${code}`);
        }
        if (stopping && live.size === 0) {
          if (failure) reject(failure);
          else resolve();
        }
      });
    };

    for (let index = 0; index < options.workers; index += 1) fork();
    if (options.stop.aborted) stopAll();
    else options.stop.addEventListener('abort', stopAll, { once: true });
  });
}

/**
 * SIGTERM and SIGINT stop the primary (or the only process). A worker stops on the SIGTERM its
 * primary forwards, ignores the terminal's Ctrl-C (its primary handles it), and stops when its
 * primary is gone.
 */
export function serveStopSignal(): { signal: AbortSignal; dispose: () => void } {
  if (!cluster.isWorker) return processStopSignal();
  const stop = processStopSignal({ signals: ['SIGTERM'], ignored: ['SIGINT'] });
  const controller = new AbortController();
  const abort = () => controller.abort();
  stop.signal.addEventListener('abort', abort, { once: true });
  process.once('disconnect', abort);
  return {
    signal: controller.signal,
    dispose: () => {
      stop.dispose();
      process.off('disconnect', abort);
    },
  };
}

function sendToPrimary(message: WorkerMessage): void {
  process.send?.(message);
}
