import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Where the shared real datasets live: `GFR_SHARED_DIR/datasets` if set, else `../shared/datasets`
 * beside the repository.
 */
export const sharedDatasetsDir = path.resolve(
  process.env.GFR_SHARED_DIR ?? path.join(__dirname, '..', '..', '..', 'shared'),
  'datasets',
);

/** Path of a file or folder inside the shared datasets. */
export function sharedDataset(relativePath: string): string {
  return path.join(sharedDatasetsDir, relativePath);
}

/**
 * `describe` for tests that read the shared datasets: skipped, with a message saying why, when
 * they are absent; failing instead when `GFR_REQUIRE_SHARED=1` (as CI sets it).
 */
export function describeWithSharedData(
  name: string,
  relativePaths: string[],
  body: () => void,
): void {
  const missing = relativePaths.filter((p) => !fs.existsSync(sharedDataset(p)));
  if (missing.length === 0) {
    describe(name, body);
    return;
  }
  const reason = `shared datasets missing: ${missing.map(sharedDataset).join(', ')}`;
  if (process.env.GFR_REQUIRE_SHARED === '1') {
    describe(name, () => {
      test('has its shared datasets (GFR_REQUIRE_SHARED=1)', () => {
        throw new Error(reason);
      });
    });
    return;
  }
  process.stderr.write(`skipping "${name}": ${reason}\n`);
  describe.skip(name, body);
}
