import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';

import { resolveConfig } from '../../lib/config';
import { DataStack } from '../../lib/data-stack';
import { EndpointStack } from '../../lib/endpoint-stack';
import { DOCKERFILE } from '../../lib/inference-image';
import { GfrNames } from '../../lib/names';

// A new image (a new build of the inference image) must reach the models while every logical
// ID and the endpoint name stay: CloudFormation then replaces models and config, not the
// endpoint (P2, P17).
describe('EndpointStack with a new image', () => {
  let folder: string;
  let templates: Template[];

  beforeAll(() => {
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'gfr-image-'));
    templates = ['A', 'B'].map((tag) => {
      const context = path.join(folder, tag);
      fs.mkdirSync(path.join(context, 'inference-image'), { recursive: true });
      fs.writeFileSync(path.join(context, DOCKERFILE), `FROM scratch\nLABEL build=${tag}\n`);
      fs.writeFileSync(path.join(context, `${DOCKERFILE}.dockerignore`), '*\n!inference-image\n');

      const app = new App({
        outdir: path.join(folder, `out-${tag}`),
        builtinCloudFormationValidation: false,
      });
      const config = resolveConfig('test');
      const names = new GfrNames(config.stage);
      const data = new DataStack(app, 'Data', { config, names });
      const endpoint = new EndpointStack(app, 'Endpoint', {
        config,
        names,
        store: data.store,
        imageDirectory: context,
      });
      return Template.fromStack(endpoint);
    });
  });

  afterAll(() => fs.rmSync(folder, { recursive: true, force: true }));

  it('changes the models’ image and nothing else that names a resource', () => {
    const [a, b] = templates.map((template) => template.toJSON());
    expect(Object.keys(b.Resources).sort()).toEqual(Object.keys(a.Resources).sort());

    const images = (template: typeof a) =>
      Object.values(
        template.Resources as Record<string, { Type: string; Properties: Record<string, unknown> }>,
      )
        .filter((resource) => resource.Type === 'AWS::SageMaker::Model')
        .map((resource) =>
          JSON.stringify((resource.Properties.PrimaryContainer as { Image: unknown }).Image),
        );
    expect(images(a)).toHaveLength(2);
    for (const [index, image] of images(b).entries()) expect(image).not.toEqual(images(a)[index]);

    const endpointNames = templates.map((template) =>
      Object.values(template.findResources('AWS::SageMaker::Endpoint')).map(
        (resource) => resource.Properties.EndpointName,
      ),
    );
    expect(endpointNames).toEqual([['gfr-test-ranker'], ['gfr-test-ranker']]);
  });
});
