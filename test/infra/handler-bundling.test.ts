import * as fs from 'node:fs';
import { builtinModules } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';

import { App, Duration, Stack } from 'aws-cdk-lib';

import { HandlerEntry } from '../../lambdas/src/contract';
import { HandlerFunction } from '../../lib/handler-function';

// The one test that really bundles: esbuild from node_modules, never Docker (P12).
describe('HandlerFunction bundling', () => {
  let outdir: string;

  beforeAll(() => {
    outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'gfr-bundle-'));
  });

  afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

  it('bundles the retrain handler with esbuild and keeps @aws-sdk/* external', () => {
    expect(() => require.resolve('esbuild')).not.toThrow();
    const app = new App({ outdir, builtinCloudFormationValidation: false });
    const stack = new Stack(app, 'Bundling');
    new HandlerFunction(stack, 'Retrain', {
      entry: HandlerEntry.RETRAIN,
      serviceName: 'gfr-retrain',
      description: 'bundling smoke test',
      environment: {},
      timeout: Duration.minutes(1),
      logRetentionDays: 1,
    });
    const assembly = app.synth();

    const assets = JSON.parse(
      fs.readFileSync(path.join(assembly.directory, 'Bundling.assets.json'), 'utf8'),
    ) as { files: Record<string, { source: { path: string } }> };
    const bundles = Object.values(assets.files)
      .map((file) => path.join(assembly.directory, file.source.path, 'index.js'))
      .filter((file) => fs.existsSync(file));
    expect(bundles).toHaveLength(1);

    const code = fs.readFileSync(bundles[0], 'utf8');
    const required = [...code.matchAll(/require\("([^"]+)"\)/g)].map((match) => match[1]);
    expect(required).toContain('@aws-sdk/client-sfn');
    // Nothing of the SDK is inlined, and no native module is required.
    expect(code).not.toMatch(/node_modules\/@aws-sdk\//);
    expect(required.filter((name) => name.startsWith('@duckdb/'))).toEqual([]);
    expect(required.filter((name) => !name.startsWith('@aws-sdk/') && !isBuiltin(name))).toEqual(
      [],
    );
  });
});

function isBuiltin(name: string): boolean {
  return builtinModules.includes(name.replace(/^node:/, ''));
}
