import { Logger, defaultLogger } from '@gfr/core';

import { ServerShutdownTimeoutError } from './errors';
import { RankerServerOptions, createRankerServer } from './server';

/** Options of {@link serveUntilStopped}. */
export interface ServeUntilStoppedOptions extends RankerServerOptions {
  /** TCP port; 0 picks a free one. */
  port: number;
  /** `0.0.0.0` in the container, `127.0.0.1` for local use. */
  host: string;
  /** Aborting it stops the server, as SIGTERM does. */
  stop: AbortSignal;
  /**
   * How long in-flight requests and the capture flush may take after the stop, in ms.
   * SageMaker kills the container 30 s after SIGTERM. @default 25000
   */
  shutdownTimeoutMs?: number;
  /** Called with the address once the server listens (the model may still be loading). */
  onListening?: (address: string) => void;
  /** Called once the model is loaded and warmed up. */
  onReady?: () => void;
}

/**
 * Runs the ranker server until `stop` aborts: listens first (SageMaker expects the socket while
 * the model loads), then waits. On stop it stops accepting, finishes in-flight requests and
 * flushes capture, then resolves. Rejects when the model cannot be loaded or warmed up (the
 * server is closed first) or when shutdown overruns its deadline.
 */
export async function serveUntilStopped(options: ServeUntilStoppedOptions): Promise<void> {
  const logger: Logger = options.logger ?? defaultLogger;
  const server = createRankerServer({ ...options, logger });
  const address = await server.listen({ port: options.port, host: options.host });
  options.onListening?.(address);

  const stopped = new Promise<'stopped'>((resolve) => {
    if (options.stop.aborted) resolve('stopped');
    else options.stop.addEventListener('abort', () => resolve('stopped'), { once: true });
  });
  try {
    await Promise.race([
      stopped,
      server.ready.then(() => {
        options.onReady?.();
        return stopped;
      }),
    ]);
  } catch (error) {
    await server.close();
    throw error;
  }

  logger.info('stopping: finishing in-flight requests', { address });
  const timeoutMs = options.shutdownTimeoutMs ?? 25_000;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      // Cut the connections still open (a stalled client, say) so the process can end before
      // SageMaker's SIGKILL; their requests are lost either way.
      server.app.server.closeAllConnections();
      reject(new ServerShutdownTimeoutError(timeoutMs));
    }, timeoutMs);
  });
  try {
    await Promise.race([server.close(), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** Which signals {@link processStopSignal} turns into a stop. */
export interface StopSignalOptions {
  /** Signals that stop. @default ['SIGTERM', 'SIGINT'] */
  signals?: NodeJS.Signals[];
  /** Signals caught and ignored (a worker leaves Ctrl-C to its primary). @default [] */
  ignored?: NodeJS.Signals[];
}

/**
 * An abort signal raised by the first stop signal of this process (a second one exits at once,
 * for an impatient Ctrl-C). `dispose` removes the handlers.
 */
export function processStopSignal(options: StopSignalOptions = {}): {
  signal: AbortSignal;
  dispose: () => void;
} {
  const controller = new AbortController();
  const onSignal = (name: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(1);
    controller.abort(name);
  };
  const ignore = () => undefined;
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  const ignored = options.ignored ?? [];
  for (const name of signals) process.on(name, onSignal);
  for (const name of ignored) process.on(name, ignore);
  return {
    signal: controller.signal,
    dispose: () => {
      for (const name of signals) process.off(name, onSignal);
      for (const name of ignored) process.off(name, ignore);
    },
  };
}
