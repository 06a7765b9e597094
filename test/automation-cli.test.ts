/**
 * The automation commands as a user runs them: `gfr deploy --gate` (exit 0 accepted, 4
 * rejected), `gfr retrain` (a new artifact for the latest windows) and `gfr drift` on captures
 * the local endpoint wrote while ranking feeds from real logs (exit 3 on drift).
 */
import { FeedRanker, HttpTransport, SqliteFeatureStore } from '@gfr/client';
import { DuckSession, silentLogger, sqlPath } from '@gfr/core';
import { createRankerServer } from '@gfr/inference-image';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { describeCli, gfr } from './support/cli';
import { describeWithSharedData, sharedDataset } from './support/shared-datasets';

const temporary = (name: string) => fs.mkdtempSync(path.join(os.tmpdir(), `gfr-${name}-`));

function runFolder(auc: number, logloss: number): string {
  const folder = temporary('run');
  const head = { auc, logloss, ece: 0.01, calibration_ratio: 1.02, rows: 5000, positives: 300 };
  fs.writeFileSync(
    path.join(folder, 'report.json'),
    JSON.stringify({ models: { ctr: { test: head } } }),
  );
  return folder;
}

describeCli('gfr deploy --gate', () => {
  test('exits 0 for a better candidate and 4 for a worse one, printing the reasons', () => {
    const champion = runFolder(0.75, 0.3);

    const better = gfr([
      'deploy',
      '--gate',
      '--candidate',
      runFolder(0.76, 0.29),
      '--champion',
      champion,
    ]);
    const worse = gfr([
      'deploy',
      '--gate',
      '--candidate',
      runFolder(0.7, 0.33),
      '--champion',
      champion,
    ]);

    expect(better.status).toBe(0);
    expect(better.stdout).toContain('pass  ctr: AUC 0.7600 vs champion 0.7500 (+0.0100');
    expect(better.stdout).toContain('accepted');
    expect(worse.status).toBe(4);
    expect(worse.stdout).toContain('FAIL  ctr: AUC 0.7000 vs champion 0.7500 (-0.0500');
    expect(worse.stdout).toContain('FAIL  ctr: log loss 0.3300 vs champion 0.3000 (+10.00 %');
    expect(worse.stdout).toContain('each model was measured on its own test days');
  });

  test('--json prints the decision; without --gate the command refuses', () => {
    const run = gfr(['--json', 'deploy', '--gate', '--candidate', runFolder(0.7, 0.33)]);
    const refused = gfr(['deploy', '--candidate', runFolder(0.7, 0.33)]);

    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ accepted: true, champion: null });
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/runs the promotion gate only \(--gate\)/);
  });
});

describeCli('gfr retrain', () => {
  test('trains on the latest windows of the tables, names the run as the handler would and writes its page', () => {
    const out = temporary('retrain');
    const tables = path.join(out, 'tables');
    expect(
      gfr([
        'simulate',
        '--out',
        tables,
        '--users',
        '200',
        '--items',
        '200',
        '--days',
        '5',
        '--quiet',
      ]).status,
    ).toBe(0);

    const run = gfr([
      '--json',
      'retrain',
      '--tables',
      tables,
      '--out',
      path.join(out, 'run'),
      '--train-days',
      '2.5',
      '--validation-days',
      '1',
      '--test-days',
      '1',
      '--rounds',
      '10',
    ]);

    expect(run.status).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result.job_name).toMatch(/^gfr-ranker-2024030\d{3}$/);
    expect(Date.parse(result.window.testEnd) - Date.parse(result.window.testStart)).toBe(
      86_400_000,
    );
    const report = JSON.parse(fs.readFileSync(path.join(out, 'run', 'report.json'), 'utf8'));
    expect(report.data).toMatchObject({ source: 'gfr retrain', job_name: result.job_name });
    expect(Date.parse(report.split.train.start)).toBeGreaterThanOrEqual(
      Date.parse(result.window.trainStart),
    );
    expect(fs.existsSync(path.join(out, 'run', 'model.tar.gz'))).toBe(true);
    expect(result.report_page).toBe(path.join(out, 'run', 'report.html'));
    expect(fs.readFileSync(result.report_page, 'utf8')).toContain('ROC');
  });
});

/** `count` users drawn evenly (by hash) from everyone with events. */
async function sampledUsers(tablesDir: string, count: number): Promise<string[]> {
  const session = await DuckSession.open();
  try {
    const rows = await session.jsonRows(`SELECT DISTINCT user_id
      FROM read_parquet(${sqlPath(path.join(tablesDir, 'events.parquet'))})
      ORDER BY hash(user_id) LIMIT ${count}`);
    return rows.map((row) => String(row.user_id));
  } finally {
    session.close();
  }
}

const rees46 = 'rees46-multicategory/2019-Oct_head.csv';
describeWithSharedData('gfr drift on captures of feeds ranked from real logs', [rees46], () => {
  describeCli('REES46', () => {
    let out: string;
    let capture: string;

    beforeAll(async () => {
      out = temporary('drift-rees46');
      // The README's steps, with few boosting rounds: the drift check needs a model, not a good one.
      const tables = path.join(out, 'tables');
      const steps = [
        ['ingest', '--source', 'rees46', '--input', sharedDataset(rees46), '--out', tables],
        ['features', '--tables', tables, '--out', path.join(out, 'features')],
        ['train', '--features', path.join(out, 'features'), '--out', out, '--rounds', '20'],
        [
          'materialize',
          '--tables',
          tables,
          '--model',
          path.join(out, 'model'),
          '--out',
          path.join(out, 'store.sqlite'),
        ],
      ];
      for (const step of steps) {
        const run = gfr([...step, '--quiet']);
        if (run.status !== 0) throw new Error(`gfr ${step[0]} failed:\n${run.stderr}`);
      }

      // The local endpoint (gfr serve's server) with capture on, ranking users from the store.
      capture = path.join(out, 'capture');
      const server = createRankerServer({
        modelDir: path.join(out, 'model'),
        logger: silentLogger,
        captureDir: capture,
      });
      const endpoint = await server.listen({ port: 0, host: '127.0.0.1' });
      const store = new SqliteFeatureStore(path.join(out, 'store.sqlite'));
      try {
        await server.ready;
        const ranker = new FeedRanker({
          store,
          transport: new HttpTransport({ url: endpoint }),
          defaults: { time: 'store' },
          logger: silentLogger,
        });
        for (const userId of await sampledUsers(path.join(out, 'tables'), 30)) {
          await ranker.rank({ userId, k: 10 });
        }
      } finally {
        await store.close();
        await server.close();
      }
    }, 600_000);

    test('gfr train wrote the training report page beside report.json', () => {
      const page = fs.readFileSync(path.join(out, 'report.html'), 'utf8');
      expect(page).toMatch(/^<!doctype html>/i);
      expect(page).toContain('ROC');
    });

    test('prints PSI and JS per feature and exits 3 beyond the thresholds, 0 within them', () => {
      const model = path.join(out, 'model');
      const strict = gfr([
        'drift',
        '--model',
        model,
        '--capture',
        capture,
        '--psi',
        '0',
        '--js',
        '0',
      ]);
      const lenient = gfr([
        'drift',
        '--model',
        model,
        '--capture',
        capture,
        '--psi',
        '1000',
        '--js',
        '1',
      ]);

      expect(strict.status).toBe(3);
      expect(strict.stdout).toMatch(/^feature +psi +js +drifted$/m);
      expect(strict.stdout).toMatch(/^log_price +\d+\.\d{4} +\d+\.\d{4} +yes$/m);
      expect(strict.stdout).toMatch(/^drift in \d+ features: /m);
      expect(lenient.status).toBe(0);
      expect(lenient.stdout).toContain('no drift beyond the thresholds');
    });

    test('the default verdict and the JSON report agree, and --report writes both files', () => {
      const reportDir = path.join(out, 'drift-report');
      const run = gfr([
        '--json',
        'drift',
        '--model',
        path.join(out, 'model'),
        '--capture',
        capture,
        '--report',
        reportDir,
      ]);
      const report = JSON.parse(run.stdout);

      expect(report.requests).toBeGreaterThan(0);
      expect(report.malformed_capture_lines).toBe(0);
      expect(run.status).toBe(report.drifted ? 3 : 0);
      expect(report.report_page).toBe(path.join(reportDir, 'report.html'));
      const written = JSON.parse(fs.readFileSync(path.join(reportDir, 'report.json'), 'utf8'));
      expect(written.drifted_features).toEqual(report.drifted_features);
      expect(fs.readFileSync(report.report_page, 'utf8')).toMatch(/^<!doctype html>/i);
    });
  });
});
