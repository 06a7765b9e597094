import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { App } from 'aws-cdk-lib';

import {
  CONFIG_FILE_CONTEXT_KEY,
  ConfigError,
  REGION_CONTEXT_KEY,
  STAGE_CONTEXT_KEY,
  defaultConfig,
  loadConfig,
  resolveConfig,
} from '../../lib/config';
import { VariantName } from '../../lib/names';

describe('resolveConfig', () => {
  it('keeps the defaults a stage starts from, production only for prod', () => {
    expect(resolveConfig('dev')).toEqual(defaultConfig('dev'));
    expect(resolveConfig('dev').production).toBe(false);
    expect(resolveConfig('prod').production).toBe(true);
    expect(resolveConfig('dev').schedules.driftCheck).toBe('rate(4 hours)');
  });

  it('merges overrides key by key and removes the challenger with null', () => {
    const config = resolveConfig('dev', {
      endpoint: { instanceType: 'ml.m5.large', variants: { challenger: null } },
    });
    expect(config.endpoint.instanceType).toBe('ml.m5.large');
    expect(config.endpoint.capturePercent).toBe(defaultConfig('dev').endpoint.capturePercent);
    expect(Object.keys(config.endpoint.variants)).toEqual([VariantName.CHAMPION]);
  });

  it('reports every problem at once with its path and value', () => {
    let error: unknown;
    try {
      resolveConfig('dev', {
        endpoint: { capturePercent: 150, variants: { champion: { minCapacity: 5 } } },
        schedules: { retrain: 'daily' },
        training: { trainer: 'lightgbm' },
        unknownKey: true,
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toMatch(/endpoint\.capturePercent: .*\(value: 150\)/);
    expect(problems).toMatch(/schedules\.retrain: .*\(value: "daily"\)/);
    expect(problems).toMatch(/training\.trainer: .*\(value: "lightgbm"\)/);
    expect(problems).toMatch(/unknownKey/);
  });

  it('keeps initial artifacts under the models prefix the endpoint may read', () => {
    expect(() =>
      resolveConfig('dev', {
        endpoint: { variants: { champion: { modelArtifactKey: 'initial/model.tar.gz' } } },
      }),
    ).toThrow(/endpoint\.variants\.champion\.modelArtifactKey: a key under models\//);
  });

  it('refuses capacities that contradict each other and weights that send traffic nowhere', () => {
    expect(() =>
      resolveConfig('dev', { endpoint: { variants: { champion: { minCapacity: 5 } } } }),
    ).toThrow(/champion: minCapacity 5 exceeds maxCapacity 4/);
    expect(() =>
      resolveConfig('dev', {
        endpoint: {
          variants: { champion: { initialWeight: 0 }, challenger: { initialWeight: 0 } },
        },
      }),
    ).toThrow(/every initialWeight is 0/);
    expect(() => resolveConfig('dev', { training: { trainer: 'xgboost' } })).toThrow(
      /the xgboost trainer needs num_round/,
    );
  });
});

describe('loadConfig', () => {
  it('reads the stage, a JSON file and the region from context', () => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'gfr-config-'));
    const file = path.join(folder, 'gfr.json');
    fs.writeFileSync(
      file,
      JSON.stringify({ training: { trainer: 'xgboost', hyperparameters: { num_round: '200' } } }),
    );
    try {
      const app = new App({
        context: {
          [STAGE_CONTEXT_KEY]: 'qa',
          [CONFIG_FILE_CONTEXT_KEY]: file,
          [REGION_CONTEXT_KEY]: 'eu-west-1',
        },
      });
      const config = loadConfig(app.node);
      expect(config.stage).toBe('qa');
      expect(config.training.trainer).toBe('xgboost');
      expect(config.region).toBe('eu-west-1');
    } finally {
      fs.rmSync(folder, { recursive: true, force: true });
    }
  });

  it('names the file when it is not JSON', () => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'gfr-config-'));
    const file = path.join(folder, 'broken.json');
    fs.writeFileSync(file, '{ stage: ');
    try {
      const app = new App({ context: { [CONFIG_FILE_CONTEXT_KEY]: file } });
      expect(() => loadConfig(app.node)).toThrow(new RegExp(`${file}.*not JSON`, 's'));
    } finally {
      fs.rmSync(folder, { recursive: true, force: true });
    }
  });
});
