import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The built gfr command (npm test builds it first). */
export const cliPath = path.join(__dirname, '..', '..', 'packages', 'cli', 'dist', 'main.js');

/** Whether the CLI is built; tests of it skip with a message when it is not. */
export const cliBuilt = fs.existsSync(cliPath);

/**
 * Runs gfr in a child process, as a user would: outside jest's sandbox, so timings and worker
 * threads are those of the real command.
 */
export function gfr(args: string[], timeoutMs = 600_000) {
  const result = spawnSync(process.execPath, [cliPath, ...args], {
    encoding: 'utf8',
    timeout: timeoutMs,
    maxBuffer: 64 * 1024 * 1024,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** `describe` for CLI tests: skipped, saying why, when the CLI is not built. */
export function describeCli(name: string, body: () => void): void {
  if (cliBuilt) {
    describe(name, body);
    return;
  }
  process.stderr.write(`skipping "${name}": ${cliPath} is not built (run npm run build)\n`);
  describe.skip(name, body);
}
