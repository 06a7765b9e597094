import * as http from 'node:http';
import { silentLogger } from '@gfr/core';

import { SmallArtifact, trainSmallArtifact } from '../test-support/small-artifact';
import { ServerShutdownTimeoutError } from './errors';
import { serveUntilStopped } from './serve-until-stopped';

let artifact: SmallArtifact;

beforeAll(async () => {
  artifact = await trainSmallArtifact();
}, 120_000);

test('a stop with a stalled client ends at the shutdown deadline, cutting the client off', async () => {
  const stop = new AbortController();
  let listening!: (address: string) => void;
  const address = new Promise<string>((resolve) => (listening = resolve));
  let ready!: () => void;
  const isReady = new Promise<void>((resolve) => (ready = resolve));
  const served = serveUntilStopped({
    modelDir: artifact.modelDir,
    logger: silentLogger,
    port: 0,
    host: '127.0.0.1',
    stop: stop.signal,
    shutdownTimeoutMs: 300,
    onListening: listening,
    onReady: ready,
  });
  served.catch(() => undefined);
  await isReady;

  // Headers and a few bytes of a body that never comes: the request stays in flight.
  const stalled = http.request(`${await address}/invocations`, {
    method: 'POST',
    agent: false,
    headers: { 'content-type': 'application/json', 'content-length': 1000 },
  });
  const clientClosed = new Promise<void>((resolve) => stalled.on('close', () => resolve()));
  stalled.on('error', () => undefined);
  stalled.write('{"schema_version":');
  await new Promise((resolve) => setTimeout(resolve, 50));
  const stoppedAt = Date.now();
  stop.abort();

  await expect(served).rejects.toBeInstanceOf(ServerShutdownTimeoutError);
  await clientClosed;
  // The deadline, not the client (which would wait forever), decides when the stop ends.
  expect(Date.now() - stoppedAt).toBeLessThan(5_000);
});
