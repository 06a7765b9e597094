import { Command } from 'commander';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import {
  SmallArtifact,
  trainSmallArtifact,
} from '../../../../inference-image/test-support/small-artifact';
import { serveCommand } from './serve';

let artifact: SmallArtifact;

beforeAll(async () => {
  artifact = await trainSmallArtifact();
}, 120_000);

/** `gfr serve …` as main.ts runs it, with stdout captured. */
function run(args: string[]) {
  const printed: string[] = [];
  const write = jest
    .spyOn(process.stdout, 'write')
    .mockImplementation((chunk: string | Uint8Array) => {
      printed.push(String(chunk));
      return true;
    });
  const quiet = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  const program = new Command('gfr').option('--json').option('--quiet').option('--verbose');
  program.addCommand(serveCommand().exitOverride());
  program.exitOverride();
  const done = program.parseAsync(['node', 'gfr', '--quiet', ...args]).finally(() => {
    write.mockRestore();
    quiet.mockRestore();
  });
  return { done, printed };
}

test('serves the artifact on loopback until SIGTERM, printing its address', async () => {
  const { done, printed } = run(['--json', 'serve', '--model', artifact.modelDir, '--port', '0']);
  await waitFor(() => printed.length > 0);
  const { address, model } = JSON.parse(printed[0]);
  await waitFor(async () => (await fetch(`${address}/ping`)).status === 200);

  const reply = await fetch(`${address}/invocations`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      schema_version: '1',
      k: 1,
      user: { user_id: 'u1' },
      candidates: [
        { item_id: 'a', channel: 'popularity' },
        { item_id: 'b', channel: 'explore' },
      ],
    }),
  });
  process.emit('SIGTERM', 'SIGTERM');

  expect(address).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  expect(model).toBe(artifact.modelDir);
  expect(reply.status).toBe(200);
  expect((await reply.json()).model_version).toBe(artifact.modelVersion);
  await expect(done).resolves.toBeDefined();
});

test('refuses a model path that does not exist before listening, saying what to pass', async () => {
  const { done } = run(['serve', '--model', '/nonexistent/model', '--port', '0']);
  await expect(done).rejects.toThrow(
    'model artifact /nonexistent/model: does not exist — pass --model OUT/model',
  );
});

test('fails with the artifact error when the model cannot be loaded', async () => {
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'gfr-serve-empty-'));
  const { done } = run(['serve', '--model', empty, '--port', '0']);
  await expect(done).rejects.toThrow(`cannot serve ${empty}: model artifact ${empty}:`);
});

test('rejects a port outside 0–65535', async () => {
  const { done } = run(['serve', '--model', artifact.modelDir, '--port', '99999']);
  await expect(done).rejects.toThrow('port must be an integer in 0–65535, got "99999"');
});

async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await condition()) return;
    } catch {
      // Not there yet.
    }
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
