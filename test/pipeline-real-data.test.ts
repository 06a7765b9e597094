import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { cliBuilt, cliPath, gfr } from './support/cli';
import { describeWithSharedData, sharedDataset } from './support/shared-datasets';

const minutes = 60_000;

type Metrics = Record<string, number | null>;
type HeadReport = { test: Metrics; baselines: Record<string, Metrics> };
type Report = {
  models: Record<string, HeadReport | undefined>;
  ranking: { ndcg_at_10: number | null };
  split: Record<string, Record<string, unknown>>;
  artifact: string;
  notes: string[];
};

/** Runs `gfr quickstart` on a shared dataset, as the README tells a user to. */
function quickstart(source: string, input: string): Report {
  if (!cliBuilt) throw new Error(`${cliPath} is not built: run npm run build`);
  const out = fs.mkdtempSync(path.join(os.tmpdir(), `gfr-${source}-`));
  const run = gfr([
    'quickstart',
    '--source',
    source,
    '--input',
    sharedDataset(input),
    '--out',
    out,
    '--quiet',
  ]);
  if (run.status !== 0) throw new Error(`gfr quickstart --source ${source} failed:\n${run.stderr}`);
  const report = JSON.parse(fs.readFileSync(path.join(out, 'report.json'), 'utf8')) as Report;
  expect(report.artifact).toBe(path.join(out, 'model.tar.gz'));
  expect(fs.statSync(report.artifact).size).toBeGreaterThan(0);
  return report;
}

const metricKeys = ['auc', 'pr_auc', 'logloss', 'gauc', 'ece', 'calibration_ratio'];

function expectEveryMetric(head: HeadReport) {
  for (const scorer of [head.test, head.baselines.popularity, head.baselines.item_rate]) {
    for (const key of metricKeys) expect(Number.isFinite(scorer[key])).toBe(true);
  }
}

function expectTimeSplit(report: Report) {
  for (const part of ['train', 'validation', 'test']) {
    expect(report.split[part].ctr_rows).toBeGreaterThan(0);
  }
  const time = (part: string, edge: string) => Date.parse(String(report.split[part][edge]));
  expect(time('train', 'end')).toBeLessThanOrEqual(time('validation', 'start'));
  expect(time('validation', 'end')).toBeLessThanOrEqual(time('test', 'start'));
}

const taobao = 'taobao-userbehavior/UserBehavior_head.csv';
describeWithSharedData('gfr quickstart on the Taobao UserBehavior sample', [taobao], () => {
  test(
    'learns pCTR and pCVR; pCTR beats the popularity baseline on the test days',
    () => {
      const report = quickstart('taobao', taobao);

      expectEveryMetric(report.models.ctr!);
      expectEveryMetric(report.models.cvr!);
      expect(report.models.ctr!.test.auc).toBeGreaterThan(
        report.models.ctr!.baselines.popularity.auc!,
      );
      expect(report.ranking.ndcg_at_10).toBeGreaterThan(0);
      expectTimeSplit(report);
      expect(report.notes.join(' ')).toContain('records no impressions');
    },
    10 * minutes,
  );
});

const rees46 = 'rees46-multicategory/2019-Oct_head.csv';
describeWithSharedData('gfr quickstart on the REES46 sample', [rees46], () => {
  test(
    'learns pCTR and pCVR; pCTR beats the popularity baseline on the test days',
    () => {
      const report = quickstart('rees46', rees46);

      expectEveryMetric(report.models.ctr!);
      expectEveryMetric(report.models.cvr!);
      expect(report.models.ctr!.test.auc).toBeGreaterThan(
        report.models.ctr!.baselines.popularity.auc!,
      );
      expectTimeSplit(report);
    },
    10 * minutes,
  );
});

const openBandit = 'open-bandit-zozotown/bts/men';
describeWithSharedData('gfr quickstart on the Open Bandit sample', [openBandit], () => {
  test(
    'trains pCTR on logged impressions and reports model, baselines and test clicks',
    () => {
      const report = quickstart('open-bandit', openBandit);

      expectEveryMetric(report.models.ctr!);
      expect(report.models.ctr!.test.positives).toBeGreaterThan(0);
      expect(report.models.cvr).toBeUndefined();
      expectTimeSplit(report);
      expect(report.notes.join(' ')).toContain('no purchase follows a click');
    },
    10 * minutes,
  );
});
