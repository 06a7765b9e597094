import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { BrowserContext, chromium } from 'playwright-core';

import { silentLogger } from '@gfr/core';
import { createRankerServer, syntheticInvocationRequest } from '@gfr/inference-image';
import { analyzeExperiment, syntheticExperiment } from '../packages/core/src/experiment';
import { cliBuilt, cliPath, gfr } from './support/cli';

/**
 * Opens every kind of report page in Debian's Chromium, as a person would: each page is built
 * by `gfr report` from a report.json written by real code (a model trained through the built
 * CLI on simulated data; `gfr drift` over what the local endpoint captured while serving
 * synthetic requests; an analysed synthetic experiment). A page passes when it logs no error
 * or warning, requests nothing from the network, and every chart drew data marks. Screenshots
 * are kept in $GFR_TEST_ARTIFACTS (or a temporary folder, printed).
 */

const chromiumPath = process.env.GFR_CHROMIUM ?? '/usr/bin/chromium';
const browserArguments = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
];

/** What one page showed in the browser. */
interface PageInspection {
  /** Console errors and warnings, uncaught exceptions, and any request beyond the file. */
  problems: string[];
  charts: { id: string; svg: boolean; dataMarks: number; failed: boolean }[];
  text: string;
  screenshot: string;
}

function describeBrowser(name: string, body: () => void): void {
  const missing = [
    fs.existsSync(chromiumPath) ? null : `${chromiumPath} is not installed (apt install chromium)`,
    cliBuilt ? null : `${cliPath} is not built (run npm run build)`,
  ].filter((reason): reason is string => reason !== null);
  if (missing.length === 0) {
    describe(name, body);
    return;
  }
  if (process.env.GFR_REQUIRE_BROWSER === '1') {
    describe(name, () => {
      test('has Chromium and the built CLI (GFR_REQUIRE_BROWSER=1)', () => {
        throw new Error(missing.join('; '));
      });
    });
    return;
  }
  process.stderr.write(`skipping "${name}": ${missing.join('; ')}\n`);
  describe.skip(name, body);
}

describeBrowser('report pages in a real browser', () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'gfr-report-browser-'));
  const artifacts = process.env.GFR_TEST_ARTIFACTS ?? path.join(work, 'artifacts');
  const profile = path.join(work, 'chromium-profile');
  const trainDir = path.join(work, 'train');
  let context: BrowserContext;

  beforeAll(async () => {
    // A tiny model trained through the built CLI: the training page's report, the drift model.
    const run = gfr([
      'quickstart',
      '--users',
      '300',
      '--days',
      '6',
      '--seed',
      '5',
      '--rounds',
      '20',
      '--out',
      trainDir,
      '--quiet',
    ]);
    // The whole run in the diff when it fails: its stderr says why.
    expect(run).toMatchObject({ status: 0 });
    expect(run.stderr).not.toMatch(/"level":"error"/);

    fs.mkdirSync(artifacts, { recursive: true });
    process.stderr.write(`report page screenshots: ${artifacts}\n`);
    context = await chromium.launchPersistentContext(profile, {
      executablePath: chromiumPath,
      headless: true,
      args: browserArguments,
      viewport: { width: 1200, height: 900 },
    });
  }, 300_000);

  afterAll(async () => {
    await context?.close();
  });

  /** Renders a report.json with the built CLI and returns the page's path. */
  function renderWithCli(reportJson: string): string {
    const run = gfr(['report', '--input', reportJson, '--json']);
    expect(run).toMatchObject({ status: 0, stderr: '' });
    const printed = JSON.parse(run.stdout) as { report_page: string };
    expect(printed.report_page).toBe(path.join(path.dirname(reportJson), 'report.html'));
    return printed.report_page;
  }

  async function inspect(htmlPath: string, name: string): Promise<PageInspection> {
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') {
        problems.push(`console ${message.type()}: ${message.text()}`);
      }
    });
    page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
    const pageUrl = pathToFileURL(htmlPath).href;
    page.on('request', (request) => {
      if (request.url() !== pageUrl) problems.push(`request: ${request.url()}`);
    });

    await page.goto(pageUrl);
    const outcomes = await page.evaluate(
      () =>
        (globalThis as unknown as { gfrReportRendered: Promise<{ id: string; ok: boolean }[]> })
          .gfrReportRendered,
    );
    const charts = await page.$$eval('.chart', (elements) =>
      elements.map((element) => ({
        id: element.id,
        svg: element.querySelector('svg') !== null,
        // Data marks only: axes, legends and titles have other roles.
        dataMarks: element.querySelectorAll(
          'g.role-mark > path, g.role-mark > line, g.role-mark > rect',
        ).length,
      })),
    );
    const failed = new Set(outcomes.filter((outcome) => !outcome.ok).map((outcome) => outcome.id));
    const screenshot = path.join(artifacts, `${name}.png`);
    await page.screenshot({ path: screenshot, fullPage: true });
    const text = await page.innerText('body');
    await page.close();
    return {
      problems,
      charts: charts.map((chart) => ({ ...chart, failed: failed.has(chart.id) })),
      text,
      screenshot,
    };
  }

  function expectEveryChartDrawn(inspection: PageInspection, atLeast: number): void {
    expect(inspection.problems).toEqual([]);
    expect(inspection.charts.length).toBeGreaterThanOrEqual(atLeast);
    for (const chart of inspection.charts) {
      expect(chart).toEqual({
        id: chart.id,
        svg: true,
        dataMarks: expect.any(Number),
        failed: false,
      });
      expect(chart.dataMarks).toBeGreaterThan(0);
    }
    expect(fs.statSync(inspection.screenshot).size).toBeGreaterThan(10_000);
  }

  test('the training page draws curves, calibration, scores, importance, channels', async () => {
    const reportJson = path.join(trainDir, 'report.json');
    const report = JSON.parse(fs.readFileSync(reportJson, 'utf8'));

    const inspection = await inspect(renderWithCli(reportJson), 'training');

    const heads = Object.keys(report.models);
    expect(heads).toContain('ctr');
    // ROC, precision-recall, reliability, scores, importance and AUC per channel for each head.
    expectEveryChartDrawn(inspection, 6 * heads.length);
    expect(inspection.charts).toHaveLength(6 * heads.length);
    expect(inspection.text).toContain(report.model_version);
    expect(inspection.text).toContain(report.models.ctr.test.auc.toFixed(4));
    for (const channel of report.models.ctr.diagnostics.channels) {
      expect(inspection.text).toContain(channel.channel);
    }
  }, 120_000);

  test("the evaluation page draws the stored model's curves from gfr evaluate", async () => {
    const run = gfr([
      'evaluate',
      '--model',
      path.join(trainDir, 'model'),
      '--features',
      path.join(trainDir, 'features'),
      '--json',
    ]);
    expect(run).toMatchObject({ status: 0 });
    const reportJson = path.join(work, 'evaluation', 'report.json');
    fs.mkdirSync(path.dirname(reportJson), { recursive: true });
    fs.writeFileSync(reportJson, run.stdout);
    const evaluation = JSON.parse(run.stdout);

    const inspection = await inspect(renderWithCli(reportJson), 'evaluation');

    const heads = evaluation.cvr ? 2 : 1;
    expectEveryChartDrawn(inspection, 6 * heads);
    expect(inspection.charts).toHaveLength(6 * heads);
    expect(inspection.text).toContain(`Evaluation on the ${evaluation.part} part`);
    expect(inspection.text).toContain(evaluation.ctr.auc.toFixed(4));
  }, 120_000);

  test('the drift page draws PSI and Jensen–Shannon per feature, names the drifted', async () => {
    // The local endpoint serves made-up requests (features far from the simulator's, so some
    // must drift) and captures them; gfr drift checks the capture as a person would run it.
    const captureDir = path.join(work, 'capture');
    const server = createRankerServer({
      modelDir: path.join(trainDir, 'model'),
      logger: silentLogger,
      captureDir,
    });
    const endpoint = await server.listen({ port: 0, host: '127.0.0.1' });
    try {
      await server.ready;
      for (const seed of [1, 2, 3, 4]) {
        const response = await fetch(`${endpoint}/invocations`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(syntheticInvocationRequest({ candidates: 100, seed })),
        });
        expect(response.status).toBe(200);
      }
    } finally {
      await server.close();
    }
    const run = gfr([
      'drift',
      '--model',
      path.join(trainDir, 'model'),
      '--capture',
      captureDir,
      '--json',
    ]);
    expect(run).toMatchObject({ status: 3 });
    const report = JSON.parse(run.stdout);
    expect(report.drifted_features.length).toBeGreaterThan(0);
    const reportJson = path.join(work, 'drift', 'report.json');
    fs.mkdirSync(path.dirname(reportJson), { recursive: true });
    fs.writeFileSync(reportJson, run.stdout);

    const inspection = await inspect(renderWithCli(reportJson), 'drift');

    // PSI and JS per feature; then, when the report carries per-bin shares, one distribution
    // per drifted feature (a dozen at most); prior drift when present.
    const withShares = report.features.some((feature: object) => 'distribution' in feature);
    const distributions = withShares ? Math.min(12, report.drifted_features.length) : 0;
    const prior = Object.values(report).some((value) =>
      Array.isArray((value as { heads?: unknown } | null)?.heads),
    )
      ? 1
      : 0;
    expectEveryChartDrawn(inspection, 2 + distributions + prior);
    expect(inspection.charts).toHaveLength(2 + distributions + prior);
    expect(inspection.text).toContain(`Drift in ${report.drifted_features.length} of`);
    for (const feature of report.drifted_features as string[]) {
      expect(inspection.text).toContain(feature);
    }
  }, 120_000);

  test('the experiment page draws lifts, lift per day and the sample ratio', async () => {
    const { joined } = syntheticExperiment({
      seed: 3,
      users: 4000,
      days: 7,
      arms: [
        { name: 'control', share: 0.5, ctr: 0.05, cvr: 0.1 },
        { name: 'model', share: 0.5, ctr: 0.056, cvr: 0.1 },
      ],
    });
    const report = analyzeExperiment(joined, {
      experiment: 'feed-ranker-vs-popularity',
      expectedShares: { control: 0.5, model: 0.5 },
      attributionWindowHours: 24,
    });
    const reportJson = path.join(work, 'experiment', 'report.json');
    fs.mkdirSync(path.dirname(reportJson), { recursive: true });
    fs.writeFileSync(reportJson, JSON.stringify(report));

    const inspection = await inspect(renderWithCli(reportJson), 'experiment');

    const metrics = new Set(report.comparisons.map((comparison) => comparison.metric));
    // The lift chart, one lift-per-day chart per metric, the sample ratio.
    expectEveryChartDrawn(inspection, metrics.size + 2);
    expect(inspection.charts).toHaveLength(metrics.size + 2);
    expect(inspection.text).toContain(`Experiment ${report.experiment}`);
    expect(inspection.text).toContain(report.sample_ratio.mismatch ? 'mismatch' : 'as configured');
  }, 120_000);
});
