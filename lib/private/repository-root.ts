import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The repository root: the nearest folder above `start` whose package.json is the `gfr`
 * workspace root. Found by walking up, because the app also runs bundled from a cache folder.
 */
export function findRepositoryRoot(start: string = __dirname): string {
  let folder = path.resolve(start);
  for (;;) {
    const manifest = path.join(folder, 'package.json');
    if (fs.existsSync(manifest)) {
      const { name } = JSON.parse(fs.readFileSync(manifest, 'utf8')) as { name?: string };
      if (name === 'gfr') return folder;
    }
    const parent = path.dirname(folder);
    if (parent === folder) throw new Error(`no gfr repository root above ${start}`);
    folder = parent;
  }
}
