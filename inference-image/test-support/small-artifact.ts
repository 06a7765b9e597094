import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { prepareTrainingSets, simulator, trainRanker } from '@gfr/core';

/** Where {@link simulateTables} and {@link trainSmallArtifact} put their files. */
export interface SmallArtifact {
  tablesDir: string;
  /** The artifact folder, as SageMaker unpacks it into /opt/ml/model. */
  modelDir: string;
  modelVersion: string;
}

/**
 * Canonical tables of a small simulated marketplace: 100 users, 100 items, 5 days, enough
 * purchases after clicks for both heads. Preparing training sets from them takes about 2 s.
 */
export async function simulateTables(tablesDir: string, seed = 5): Promise<void> {
  await simulator.simulateMarketplace({ users: 100, items: 100, days: 5, seed }, tablesDir);
}

/** Simulates a small marketplace and trains a 20-round artifact on it (about 3 s). */
export async function trainSmallArtifact(): Promise<SmallArtifact> {
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gfr-serve-artifact-'));
  const tablesDir = path.join(outDir, 'tables');
  await simulateTables(tablesDir);
  const trained = await trainRanker(await prepareTrainingSets(tablesDir), outDir, {
    parameters: { rounds: 20 },
  });
  return {
    tablesDir,
    modelDir: trained.artifact.directory,
    modelVersion: trained.artifact.manifest.model_version,
  };
}
