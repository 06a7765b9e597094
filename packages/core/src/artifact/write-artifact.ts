import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tar from 'tar';

import { CalibrationMap } from '../calibration';
import { FeatureDistribution } from '../drift/feature-distribution';
import { FeatureSettings, featureNames, featureSetVersion } from '../features/feature-spec';
import { TreeEnsemble } from '../gbdt';
import { produceAtomically, writeFileAtomic } from '../io/atomic';
import { TimeSplit } from '../training-set/time-split';
import {
  ArtifactManifest,
  artifactFormat,
  artifactFormatVersion,
  manifestFileName,
} from './manifest';

/** Everything a model artifact is made of. */
export interface ArtifactContents {
  ctr: { model: TreeEnsemble; calibration: CalibrationMap; bestIteration: number };
  cvr: { model: TreeEnsemble; calibration: CalibrationMap; bestIteration: number } | null;
  featureSettings: FeatureSettings;
  featureDistributions: FeatureDistribution[];
  trainingWindow: { start: Date; end: Date };
  split: TimeSplit;
  reconstructedImpressions: boolean;
  negativeKeepRate: number;
  parameters: Record<string, unknown>;
  metrics: Record<string, unknown>;
}

/** Where {@link writeArtifact} put the artifact. */
export interface WrittenArtifact {
  /** The directory SageMaker would unpack into /opt/ml/model. */
  directory: string;
  /** The same files as a gzipped tarball, for `ModelDataUrl`. */
  tarball: string;
  manifest: ArtifactManifest;
}

const files = {
  ctr: 'ctr-model.json',
  cvr: 'cvr-model.json',
  calibration: 'calibration.json',
  featureDistributions: 'feature-distributions.json',
};

/**
 * Writes the artifact as `<outDir>/model/` and `<outDir>/model.tar.gz`. Both appear complete or
 * not at all: each is built under a temporary name and renamed into place, the tarball last.
 */
export async function writeArtifact(
  outDir: string,
  contents: ArtifactContents,
): Promise<WrittenArtifact> {
  const directory = path.join(outDir, 'model');
  const tarball = path.join(outDir, 'model.tar.gz');
  const ctrJson = contents.ctr.model.toXGBoostJsonText();
  const cvrJson = contents.cvr ? contents.cvr.model.toXGBoostJsonText() : null;
  const manifest = buildManifest(contents, ctrJson, cvrJson);

  await produceAtomically(
    directory,
    async (temporary) => {
      fs.mkdirSync(temporary, { recursive: true });
      const write = (name: string, text: string) =>
        fs.writeFileSync(path.join(temporary, name), text);
      write(files.ctr, ctrJson);
      if (cvrJson) write(files.cvr, cvrJson);
      write(
        files.calibration,
        JSON.stringify({ ctr: contents.ctr.calibration, cvr: contents.cvr?.calibration ?? null }),
      );
      write(files.featureDistributions, JSON.stringify(contents.featureDistributions));
      write(manifestFileName, JSON.stringify(manifest, null, 2) + '\n');
    },
    { replaceableEntries: [...Object.values(files), manifestFileName] },
  );

  const names = fs.readdirSync(directory).sort();
  await produceAtomically(tarball, async (temporary) => {
    await tar.create({ gzip: true, file: temporary, cwd: directory, portable: true }, names);
  });
  return { directory, tarball, manifest };
}

function buildManifest(
  contents: ArtifactContents,
  ctrJson: string,
  cvrJson: string | null,
): ArtifactManifest {
  const createdAt = new Date();
  const digest = createHash('sha256')
    .update(ctrJson)
    .update(cvrJson ?? '')
    .digest('hex');
  const stamp = createdAt
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  const iso = (seconds: number) => new Date(seconds * 1000).toISOString();
  const head = (name: string, trained: { model: TreeEnsemble; bestIteration: number }) => ({
    model_file: name,
    best_iteration: trained.bestIteration,
    trees: trained.model.numTrees,
  });
  return {
    format: artifactFormat,
    format_version: artifactFormatVersion,
    model_version: `${stamp}-${digest.slice(0, 10)}`,
    created_at: createdAt.toISOString(),
    training_window: {
      start: contents.trainingWindow.start.toISOString(),
      end: contents.trainingWindow.end.toISOString(),
    },
    split: {
      validation_start: iso(contents.split.validationStart),
      test_start: iso(contents.split.testStart),
      gap_seconds: contents.split.gapSeconds,
    },
    feature_set_version: featureSetVersion,
    feature_names: [...featureNames],
    feature_settings: contents.featureSettings,
    sampling: {
      reconstructed_impressions: contents.reconstructedImpressions,
      negative_keep_rate: contents.negativeKeepRate,
    },
    parameters: contents.parameters,
    heads: {
      ctr: head(files.ctr, contents.ctr),
      cvr: contents.cvr ? head(files.cvr, contents.cvr) : null,
    },
    files: { calibration: files.calibration, feature_distributions: files.featureDistributions },
    metrics: contents.metrics,
  };
}

/** Writes `value` as pretty JSON to `target` atomically. */
export function writeJsonAtomic(target: string, value: unknown): void {
  writeFileAtomic(target, JSON.stringify(value, null, 2) + '\n');
}
