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

/** Canonical tables of a small simulated marketplace (about a second). */
export async function simulateTables(tablesDir: string, seed = 5): Promise<void> {
  await simulator.simulateMarketplace({ users: 300, items: 300, days: 6, seed }, tablesDir);
}

/** Simulates a small marketplace and trains a 20-round artifact on it (about 5 s). */
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
