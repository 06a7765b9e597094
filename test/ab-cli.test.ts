import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { experiment } from '@gfr/core';

import { describeCli, gfr } from './support/cli';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gfr-ab-cli-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Logs of a two-arm experiment where the model arm clicks twice as often. */
function writeLogs(root: string): string {
  const writer = new experiment.ExperimentLogWriter({ root, experiment: 'cli', writerId: 'w' });
  const assigner = new experiment.ExperimentAssigner({
    name: 'cli',
    variants: [
      { name: 'popularity', weight: 1 },
      { name: 'model', weight: 1 },
    ],
  });
  for (let user = 0; user < 600; user++) {
    const userId = `u${user}`;
    const variant = assigner.assign(userId).variant;
    const time = Date.UTC(2024, 2, 1) + user * 200_000;
    const items = ['a', 'b', 'c', 'd'].map((item_id, index) => ({ item_id, position: index + 1 }));
    writer.writeExposure({
      type: 'exposure',
      experiment: 'cli',
      user_id: userId,
      variant,
      request_id: `r${user}`,
      time: new Date(time).toISOString(),
      items,
    });
    if (user % (variant === 'model' ? 3 : 6) === 0) {
      writer.writeOutcome({
        type: 'click',
        user_id: userId,
        request_id: `r${user}`,
        item_id: 'a',
        time: new Date(time + 5000).toISOString(),
      });
    }
  }
  writer.close();
  const directory = path.join(root, 'experiments', 'cli');
  fs.writeFileSync(
    path.join(directory, 'experiment.json'),
    JSON.stringify({
      name: 'cli',
      variants: [
        { name: 'popularity', weight: 1 },
        { name: 'model', weight: 1 },
      ],
    }),
  );
  return directory;
}

describeCli('gfr ab', () => {
  test('analyze prints the JSON report, writes report.json and lists malformed lines', () => {
    const directory = writeLogs(path.join(dir, 'logs'));
    const exposures = path.join(directory, 'exposures');
    const badFile = path.join(exposures, 'date=2024-03-02', 'part-late.jsonl');
    fs.mkdirSync(path.dirname(badFile), { recursive: true });
    fs.writeFileSync(badFile, '{"type":"exposure","user_id":"u1"}\n');
    const reportPath = path.join(dir, 'report.json');
    const run = gfr([
      '--json',
      'ab',
      'analyze',
      '--exposures',
      exposures,
      '--outcomes',
      path.join(directory, 'outcomes'),
      '--report',
      reportPath,
    ]);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const { report_page: page, ...report } = JSON.parse(
      run.stdout,
    ) as experiment.ExperimentReport & {
      report_page: string;
    };
    expect(JSON.parse(fs.readFileSync(reportPath, 'utf8'))).toEqual(report);
    expect(page).toBe(path.join(dir, 'report.html'));
    expect(fs.readFileSync(page, 'utf8')).toContain('<title>Experiment cli</title>');
    expect(report.control).toBe('popularity');
    const ctr = report.comparisons.find(
      (entry) => entry.metric === 'ctr' && entry.treatment === 'model',
    )!;
    expect(ctr.relative!.estimate).toBeGreaterThan(0.5);
    expect(ctr.significant).toBe(true);
    expect(report.data_quality.malformed).toEqual([
      expect.objectContaining({ file: badFile, line: 1, field: 'experiment' }),
    ]);
  });

  test('analyze without --report writes its report beside the exposures', () => {
    const directory = writeLogs(path.join(dir, 'beside'));
    const run = gfr([
      '--json',
      'ab',
      'analyze',
      '--exposures',
      path.join(directory, 'exposures'),
      '--outcomes',
      path.join(directory, 'outcomes'),
    ]);

    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const { report_page: page } = JSON.parse(run.stdout) as { report_page: string };
    expect(page).toBe(path.join(directory, 'report.html'));
    const written = JSON.parse(fs.readFileSync(path.join(directory, 'report.json'), 'utf8')) as {
      control: string;
    };
    expect(written.control).toBe('popularity');
  });

  test('analyze names the missing input and fails', () => {
    const missing = path.join(dir, 'nowhere');
    const run = gfr(['ab', 'analyze', '--exposures', missing, '--outcomes', missing]);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(missing);
  });

  test('simulate trains, serves the model through the local endpoint and analyses the logs', () => {
    const out = path.join(dir, 'simulate');
    const run = gfr([
      '--json',
      'ab',
      'simulate',
      '--out',
      out,
      '--users',
      '300',
      '--days',
      '6',
      '--pre-days',
      '4',
      '--rounds',
      '10',
      '--variants',
      'popularity,model,random',
      '--weights',
      '2,2,1',
    ]);
    expect(run.status).toBe(0);
    const result = JSON.parse(run.stdout) as {
      endpoint: string;
      report: experiment.ExperimentReport;
    };
    expect(result.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const report = result.report;
    expect(report.variants.map((variant) => variant.variant)).toEqual([
      'popularity',
      'model',
      'random',
    ]);
    expect(report.variants.every((variant) => variant.impressions > 0)).toBe(true);
    expect(report.cuped).not.toBeNull();
    expect(report.daily).toHaveLength(report.period.days);
    expect(report.data_quality.malformed_lines).toBe(0);
    expect(report.data_quality.unattributed_outcomes).toBe(0);
    const logs = path.join(out, 'experiments', 'ranker-vs-popularity');
    expect(fs.existsSync(path.join(logs, 'experiment.json'))).toBe(true);
    expect(fs.existsSync(path.join(logs, 'pre-period.jsonl'))).toBe(true);
    expect(fs.existsSync(path.join(out, 'report.json'))).toBe(true);
    expect(fs.existsSync(path.join(out, 'report.html'))).toBe(true);
  });
});
