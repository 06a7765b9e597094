import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { describeCli, gfr } from './support/cli';

describeCli('gfr quickstart on a small simulated marketplace', () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'gfr-quickstart-'));
  let run: ReturnType<typeof gfr>;

  beforeAll(() => {
    run = gfr([
      'quickstart',
      '--through-endpoint',
      '1',
      '--users',
      '300',
      '--days',
      '8',
      '--rounds',
      '60',
      '--out',
      out,
      '--json',
    ]);
  });

  test('exits 0 and prints the report, its path and a ranked feed as JSON', () => {
    expect(run.stderr).not.toMatch(/"level":"error"/);
    expect(run.status).toBe(0);
    const printed = JSON.parse(run.stdout);
    expect(printed.report_path).toBe(path.join(out, 'report.json'));
    expect(printed.feed.items).toHaveLength(10);
    const scores = printed.feed.items.map((item: { score: number }) => item.score);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
  });

  test('the local endpoint, fed by the online store, scores items as the pipeline does', () => {
    const printed = JSON.parse(run.stdout);
    const [served] = printed.endpoint_feeds;
    expect(served.user_id).toBe(printed.feed.user_id);
    type Item = { item_id: string; p_ctr: number; p_cvr: number };
    const servedById = new Map<string, Item>(
      served.feed.items.map((item: Item) => [item.item_id, item]),
    );
    const common = (printed.feed.items as Item[]).filter((item) => servedById.has(item.item_id));

    // The two paths draw candidates differently, but an item both rank gets the same scores.
    expect(common.length).toBeGreaterThanOrEqual(3);
    expect(served.feed.items[0].item_id).toBe(printed.feed.items[0].item_id);
    for (const item of common) {
      expect(servedById.get(item.item_id)!.p_ctr).toBeCloseTo(item.p_ctr, 9);
      expect(servedById.get(item.item_id)!.p_cvr).toBeCloseTo(item.p_cvr, 9);
    }
    expect(fs.existsSync(path.join(out, 'store.sqlite'))).toBe(true);
  });

  test('writes report.json with test metrics of both heads and their baselines', () => {
    const report = JSON.parse(fs.readFileSync(path.join(out, 'report.json'), 'utf8'));
    for (const head of ['ctr', 'cvr']) {
      const metrics = report.models[head];
      for (const key of ['auc', 'pr_auc', 'logloss', 'gauc', 'ece', 'calibration_ratio']) {
        expect(typeof metrics.test[key]).toBe('number');
        expect(typeof metrics.baselines.popularity[key]).toBe('number');
        expect(typeof metrics.baselines.item_rate[key]).toBe('number');
      }
    }
    expect(report.models.ctr.test.auc).toBeGreaterThan(report.models.ctr.baselines.popularity.auc);
    expect(report.ranking.ndcg_at_10).toBeGreaterThan(0);
    expect(report.split.train.ctr_rows).toBeGreaterThan(report.split.test.ctr_rows);
    expect(Date.parse(report.split.train.end)).toBeLessThanOrEqual(
      Date.parse(report.split.validation.start),
    );
    expect(Date.parse(report.split.validation.end)).toBeLessThanOrEqual(
      Date.parse(report.split.test.start),
    );
    expect(fs.statSync(report.artifact).size).toBeGreaterThan(0);
    expect(JSON.parse(run.stdout).report_page).toBe(path.join(out, 'report.html'));
    expect(fs.readFileSync(path.join(out, 'report.html'), 'utf8')).toMatch(/^<!doctype html>/i);
  });

  test('the artifact ranks a named user and scores the stored test days the same way', () => {
    const model = path.join(out, 'model');
    const report = JSON.parse(fs.readFileSync(path.join(out, 'report.json'), 'utf8'));
    const user = JSON.parse(run.stdout).feed.user_id;

    const ranked = gfr([
      'rank',
      '--tables',
      path.join(out, 'tables'),
      '--model',
      model,
      '--user',
      user,
      '--k',
      '5',
      '--json',
    ]);
    expect(ranked.status).toBe(0);
    expect(JSON.parse(ranked.stdout).items).toHaveLength(5);

    const features = path.join(out, 'features');
    expect(
      gfr(['features', '--tables', path.join(out, 'tables'), '--out', features, '--quiet']).status,
    ).toBe(0);
    const evaluated = gfr(['evaluate', '--model', model, '--features', features, '--json']);
    expect(evaluated.status).toBe(0);
    expect(JSON.parse(evaluated.stdout).ctr.auc).toBeCloseTo(report.models.ctr.test.auc, 10);
  });

  test('an empty capture folder is an error naming it, not a report of no drift', () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'gfr-empty-capture-'));
    try {
      const run = gfr(['drift', '--model', path.join(out, 'model'), '--capture', empty]);
      expect(run.status).toBe(1);
      expect(run.stderr).toContain(`no capture files (*.jsonl) in ${empty}`);
      expect(run.stdout).toBe('');
    } finally {
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });

  test('a capture of no readable request fails naming the first bad line', () => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'gfr-bad-capture-'));
    const file = path.join(folder, 'part.jsonl');
    fs.writeFileSync(file, 'not json\n{"captureData": 1}\n');
    try {
      const run = gfr(['drift', '--model', path.join(out, 'model'), '--capture', folder]);
      expect(run.status).toBe(1);
      expect(run.stderr).toContain('no readable request in the 1 capture files');
      expect(run.stderr).toContain('2 malformed lines');
      expect(run.stderr).toContain(`the first bad line is ${file}:1:`);
    } finally {
      fs.rmSync(folder, { recursive: true, force: true });
    }
  });

  test('a system error on an output path says what to do', () => {
    const file = path.join(out, 'report.json');
    const run = gfr(['simulate', '--out', path.join(file, 'tables'), '--users', '20']);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(
      /(ENOTDIR|EEXIST).*\((a part of the path is a file|a file is where)/,
    );
    expect(run.stderr).not.toContain('    at ');
  });

  test('a user without history gets a cold-start feed, not an error', () => {
    const tables = path.join(out, 'tables');
    const args = ['rank', '--tables', tables, '--model', path.join(out, 'model.tar.gz')];
    const run = gfr([...args, '--user', 'nobody', '--json']);
    expect(run.status).toBe(0);
    const feed = JSON.parse(run.stdout);
    expect(feed.cold_start).toBe(true);
    expect(feed.items).toHaveLength(10);
    expect(feed.items.some((item: { channel: string }) => item.channel === 'exploit')).toBe(false);
  });

  test('an output folder holding files gfr did not write is refused and left intact', () => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'gfr-foreign-'));
    fs.writeFileSync(path.join(folder, 'notes.md'), 'mine');
    const run = gfr(['simulate', '--out', folder, '--users', '50', '--days', '2']);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('the folder holds files gfr did not write (notes.md)');
    expect(fs.readdirSync(folder)).toEqual(['notes.md']);
  });
});

describeCli('gfr errors', () => {
  test('an invalid option value is a usage error with exit code 2 naming the allowed values', () => {
    const run = gfr(['quickstart', '--source', 'bogus']);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("argument 'bogus' is invalid. Allowed choices are simulator");
  });

  test('with --json a usage error is one JSON object on stderr, still exit code 2', () => {
    const run = gfr(['--json', 'quickstart', '--source', 'bogus']);
    expect(run.status).toBe(2);
    expect(JSON.parse(run.stderr)).toEqual({
      error: {
        code: 'commander.invalidArgument',
        message: expect.stringContaining("argument 'bogus' is invalid"),
      },
    });
  });

  test('--version prints the version and exits 0', () => {
    const run = gfr(['--version']);
    expect(run.status).toBe(0);
    expect(run.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  test('a missing --input is a usage error with exit code 2 and a message naming it', () => {
    const run = gfr(['quickstart', '--source', 'taobao', '--out', os.tmpdir()]);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('--input is required for source taobao');
  });

  test('--input without --source is a usage error, not a silent run on the simulator', () => {
    const run = gfr(['quickstart', '--input', os.tmpdir(), '--out', os.tmpdir()]);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(`--input ${os.tmpdir()} needs --source`);
  });

  test('a folder that is not gfr tables is named, with what to do, and no stack trace', () => {
    const run = gfr(['features', '--tables', '/nonexistent/tables', '--out', os.tmpdir()]);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('/nonexistent/tables is not a folder of gfr tables');
    expect(run.stderr).toContain('gfr ingest');
    expect(run.stderr).not.toContain('    at ');
  });

  test('a missing model is refused with exit code 1 and a message naming its path', () => {
    const run = gfr([
      'rank',
      '--tables',
      '/nonexistent',
      '--model',
      '/nonexistent/model',
      '--user',
      'u1',
    ]);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('model artifact /nonexistent/model: does not exist');
  });
});
