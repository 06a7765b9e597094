import { build } from 'esbuild';
import * as path from 'node:path';

import { HandlerEntry } from '../src/contract';

const root = path.join(__dirname, '..', '..');

test.each(Object.entries(HandlerEntry))(
  'the %s handler bundles for Lambda without DuckDB’s native bindings',
  async (_name, entry) => {
    const result = await build({
      entryPoints: [path.join(root, entry)],
      bundle: true,
      platform: 'node',
      target: 'node22',
      external: ['@aws-sdk/*'],
      write: false,
      metafile: true,
      logLevel: 'silent',
    });

    const inputs = Object.keys(result.metafile.inputs);
    expect(result.errors).toEqual([]);
    expect(inputs.filter((input) => /duckdb/i.test(input))).toEqual([]);
    expect(inputs.some((input) => input.includes('packages/core/dist/automation/'))).toBe(true);
  },
);
