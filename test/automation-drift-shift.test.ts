/**
 * The drift check on a simulated day served through the local endpoint: the same users' feeds
 * ranked once from the simulated tables and once after the simulator's prices were shifted.
 * The price features drift, features the shift does not touch stay as they were, and a window
 * of a few records raises nothing.
 */
import {
  FeedRanker,
  HttpTransport,
  SqliteFeatureStore,
  materializeFeatureStore,
} from '@gfr/client';
import {
  CaptureDriftReport,
  DuckSession,
  LoadedArtifact,
  checkCaptureDrift,
  loadArtifact,
  prepareTrainingSets,
  silentLogger,
  simulator,
  sqlPath,
  trainRanker,
} from '@gfr/core';
import { createRankerServer, readCaptureRecords } from '@gfr/inference-image';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const priceFeatures = ['log_price', 'price_vs_user', 'price_z_user'];
let workDir: string;
let artifact: LoadedArtifact;
let modelDir: string;
let users: string[];

/** Serves the model, ranks `users` with features from `tablesDir`, returns the capture folder. */
async function serveDay(tablesDir: string, name: string): Promise<string> {
  const storeFile = path.join(workDir, `${name}.sqlite`);
  const captureDir = path.join(workDir, `${name}-capture`);
  await materializeFeatureStore({
    tablesDir,
    outFile: storeFile,
    featureSettings: artifact.manifest.feature_settings,
    modelVersion: artifact.manifest.model_version,
    logger: silentLogger,
  });
  const server = createRankerServer({ modelDir, logger: silentLogger, captureDir });
  const endpoint = await server.listen({ port: 0, host: '127.0.0.1' });
  const store = new SqliteFeatureStore(storeFile);
  try {
    await server.ready;
    const ranker = new FeedRanker({
      store,
      transport: new HttpTransport({ url: endpoint }),
      defaults: { time: 'store' },
      logger: silentLogger,
    });
    for (const userId of users) await ranker.rank({ userId, k: 10 });
  } finally {
    await store.close();
    await server.close();
  }
  return captureDir;
}

/**
 * The default Jensen–Shannon threshold (0.1) is stricter than PSI's 0.2: on the simulator the
 * channels' candidate pool sits at a JS distance of about 0.12 from the logged impressions in
 * price. 0.2 matches PSI 0.2, so one shift is judged by both measures alike.
 */
const thresholds = {
  features: { psi: 0.2, jensenShannon: 0.2, minimumRows: 200 },
  prior: { relativeShift: 0.3, minimumItems: 200 },
};

async function driftOf(captureDir: string): Promise<CaptureDriftReport> {
  return checkCaptureDrift(artifact, await readCaptureRecords(captureDir), thresholds);
}

/** `count` users drawn evenly from everyone with events, not only the most active. */
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

let unshifted: CaptureDriftReport;
let shifted: CaptureDriftReport;

beforeAll(async () => {
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gfr-drift-shift-'));
  const tables = path.join(workDir, 'tables');
  await simulator.simulateMarketplace({ users: 300, items: 300, days: 6, seed: 11 }, tables);
  const trained = await trainRanker(await prepareTrainingSets(tables), workDir, {
    parameters: { rounds: 20 },
  });
  modelDir = trained.artifact.directory;
  artifact = await loadArtifact(modelDir);
  users = await sampledUsers(tables, 40);

  // The shift: every item costs four times as much; nothing else changes.
  const shiftedTables = path.join(workDir, 'shifted-tables');
  fs.mkdirSync(shiftedTables);
  for (const table of ['events', 'users']) {
    fs.copyFileSync(
      path.join(tables, `${table}.parquet`),
      path.join(shiftedTables, `${table}.parquet`),
    );
  }
  const session = await DuckSession.open();
  try {
    await session.run(`COPY (SELECT * REPLACE (price * 4 AS price)
      FROM read_parquet(${sqlPath(path.join(tables, 'items.parquet'))}))
      TO ${sqlPath(path.join(shiftedTables, 'items.parquet'))} (FORMAT parquet)`);
  } finally {
    session.close();
  }

  unshifted = await driftOf(await serveDay(tables, 'unshifted'));
  shifted = await driftOf(await serveDay(shiftedTables, 'shifted'));
}, 240_000);

afterAll(() => fs.rmSync(workDir, { recursive: true, force: true }));

const feature = (report: CaptureDriftReport, name: string) =>
  report.features.find((entry) => entry.feature === name)!;

test('the shifted feature is flagged on the shifted day and not on the unshifted one', () => {
  expect(unshifted.requests).toBe(40);
  expect(feature(unshifted, 'log_price')).toMatchObject({ judged: true, drifted: false });
  expect(feature(shifted, 'log_price')).toMatchObject({ judged: true, drifted: true });
  expect(shifted.drifted_features).toContain('log_price');
  expect(unshifted.drifted_features).not.toContain('log_price');
});

test('features the shift does not touch measure the same on both days', () => {
  const untouched = unshifted.features.filter(
    (entry) => entry.judged && !priceFeatures.includes(entry.feature),
  );
  expect(untouched.length).toBeGreaterThan(15);
  for (const entry of untouched) {
    expect(feature(shifted, entry.feature).psi).toBeCloseTo(entry.psi, 10);
  }
  const newlyDrifted = shifted.drifted_features.filter(
    (name) => !unshifted.drifted_features.includes(name),
  );
  expect(newlyDrifted.every((name) => priceFeatures.includes(name))).toBe(true);
});

test('a window of a few records raises nothing, even shifted', async () => {
  const captured = await readCaptureRecords(path.join(workDir, 'shifted-capture'));
  const few = { ...captured, records: captured.records.slice(0, 1) };

  const report = checkCaptureDrift(artifact, few, {
    ...thresholds,
    features: { psi: 0, jensenShannon: 0, minimumRows: 200 },
  });

  expect(report.requests).toBe(1);
  expect(report.drifted).toBe(false);
  expect(report.features.every((entry) => !entry.judged)).toBe(true);
});
