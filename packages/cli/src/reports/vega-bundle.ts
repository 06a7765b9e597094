import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The browser builds of Vega, Vega-Lite and vega-embed, read from the CLI's own dependencies so
 * that a report page carries its charting code inline and opens offline, without a CDN.
 */

/** The UMD builds in the order a page must load them (vega-embed needs the other two). */
const browserBuilds = [
  { module: 'vega', file: 'vega.min.js' },
  { module: 'vega-lite', file: 'vega-lite.min.js' },
  { module: 'vega-embed', file: 'vega-embed.min.js' },
] as const;

let cached: string[] | undefined;

/**
 * The minified browser builds' source texts, read once per process. Each package's entry point
 * sits in its `build/` folder beside the minified browser build, so the folder of the resolved
 * entry is where to look.
 */
export function vegaBrowserScripts(): string[] {
  cached ??= browserBuilds.map(({ module, file }) =>
    fs.readFileSync(path.join(path.dirname(require.resolve(module)), file), 'utf8'),
  );
  return cached;
}
