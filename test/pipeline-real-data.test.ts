import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { QuickstartSource, runQuickstart } from '@gfr/core';

import { describeWithSharedData, sharedDataset } from './support/shared-datasets';

const minutes = 60_000;

async function quickstart(source: QuickstartSource, input: string) {
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), `gfr-${source}-`));
  const result = await runQuickstart({ source, input: sharedDataset(input), outDir });
  return { ...result, outDir };
}

type Metrics = Record<string, number | null>;

function expectFullMetrics(metrics: Metrics) {
  for (const key of ['auc', 'pr_auc', 'logloss', 'gauc', 'ece', 'calibration_ratio']) {
    expect(Number.isFinite(metrics[key])).toBe(true);
  }
}

describeWithSharedData(
  'the pipeline on the Taobao UserBehavior sample',
  ['taobao-userbehavior/UserBehavior_head.csv'],
  () => {
    test(
      'learns pCTR and pCVR that beat the popularity baseline on the test days',
      async () => {
        const { report, outDir } = await quickstart(
          'taobao',
          'taobao-userbehavior/UserBehavior_head.csv',
        );
        const models = report.models as Record<
          string,
          Record<string, Metrics | Record<string, Metrics>>
        >;

        expectFullMetrics(models.ctr.test as Metrics);
        expectFullMetrics(models.cvr.test as Metrics);
        const ctrBaselines = models.ctr.baselines as Record<string, Metrics>;
        expectFullMetrics(ctrBaselines.popularity);
        expectFullMetrics(ctrBaselines.item_rate);
        expect((models.ctr.test as Metrics).auc).toBeGreaterThan(ctrBaselines.popularity.auc!);
        expect(report.notes).toEqual(
          expect.arrayContaining([expect.stringContaining('records no impressions')]),
        );
        expect(fs.existsSync(path.join(outDir, 'model.tar.gz'))).toBe(true);
        expect(report.artifact).toBe(path.join(outDir, 'model.tar.gz'));
      },
      10 * minutes,
    );
  },
);

describeWithSharedData(
  'the pipeline on the REES46 sample',
  ['rees46-multicategory/2019-Oct_head.csv'],
  () => {
    test(
      'learns a pCTR that beats the popularity baseline and reports the split',
      async () => {
        const { report } = await quickstart('rees46', 'rees46-multicategory/2019-Oct_head.csv');
        const models = report.models as Record<string, Record<string, unknown>>;
        const ctr = models.ctr.test as Metrics;
        const popularity = (models.ctr.baselines as Record<string, Metrics>).popularity;

        expectFullMetrics(ctr);
        expect(ctr.auc).toBeGreaterThan(popularity.auc!);
        const split = report.split as Record<string, Record<string, unknown>>;
        for (const part of ['train', 'validation', 'test']) {
          expect(split[part].ctr_rows).toBeGreaterThan(0);
          expect(typeof split[part].start).toBe('string');
        }
      },
      10 * minutes,
    );
  },
);

describeWithSharedData(
  'the pipeline on the Open Bandit sample',
  ['open-bandit-zozotown/bts/men'],
  () => {
    test(
      'trains pCTR on real impressions and reports model, baselines and test clicks',
      async () => {
        const { report } = await quickstart('open-bandit', 'open-bandit-zozotown/bts/men');
        const models = report.models as Record<string, Record<string, unknown>>;
        const ctr = models.ctr.test as Metrics;

        expect(Number.isFinite(ctr.auc)).toBe(true);
        expect(
          Number.isFinite((models.ctr.baselines as Record<string, Metrics>).popularity.auc),
        ).toBe(true);
        expect(ctr.positives).toBeGreaterThan(0);
        expect(models.cvr).toBeUndefined();
        expect(report.notes).toEqual(
          expect.arrayContaining([expect.stringContaining('no purchase after a click')]),
        );
      },
      10 * minutes,
    );
  },
);
