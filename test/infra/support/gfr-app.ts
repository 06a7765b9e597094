import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';

import { ConfigOverrides, GfrConfig, resolveConfig } from '../../../lib/config';
import { GfrStacks, addGfrStacks } from '../../../lib/gfr-app';

/** One synthesized stage: the app, its stacks, their templates and the output folder. */
export interface SynthesizedApp {
  readonly app: App;
  readonly config: GfrConfig;
  readonly stacks: GfrStacks;
  readonly templates: {
    readonly data: Template;
    readonly endpoint: Template;
    readonly automation: Template;
    readonly observability: Template;
  };
  readonly outdir: string;
}

/** Options of {@link synthesizeApp}. */
export interface SynthesizeOptions {
  readonly stage?: string;
  readonly overrides?: ConfigOverrides;
  /** Bundle the handlers with esbuild (slow); by default no stack is bundled. */
  readonly bundle?: boolean;
  /**
   * Check the templates against CloudFormation's schemas (about 10 s of WebAssembly): one test
   * file does, the others skip it.
   */
  readonly validateTemplates?: boolean;
}

/**
 * Builds the whole app once into a temporary folder, without cdk-nag (the nag test runs the
 * pack itself to read its report). Test files call this once, in `beforeAll`.
 */
export function synthesizeApp(options: SynthesizeOptions = {}): SynthesizedApp {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'gfr-cdk-'));
  const app = new App({
    outdir,
    context: options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] },
    builtinCloudFormationValidation: options.validateTemplates ?? false,
  });
  const config = resolveConfig(options.stage ?? 'test', options.overrides ?? {});
  const stacks = addGfrStacks(app, config, { nag: false });
  app.synth();
  return {
    app,
    config,
    stacks,
    outdir,
    templates: {
      data: Template.fromStack(stacks.data),
      endpoint: Template.fromStack(stacks.endpoint),
      automation: Template.fromStack(stacks.automation),
      observability: Template.fromStack(stacks.observability),
    },
  };
}

/** Removes a synthesized app's output folder. */
export function removeOutput(synthesized: SynthesizedApp | undefined): void {
  if (synthesized) fs.rmSync(synthesized.outdir, { recursive: true, force: true });
}

/** Resources of one type in a template, by logical ID. */
export function resourcesOf(
  template: Template,
  type: string,
): Record<
  string,
  { Properties: Record<string, unknown>; DependsOn?: string[] } & Record<string, unknown>
> {
  return template.findResources(type) as never;
}
