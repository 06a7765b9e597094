import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tar from 'tar';

import { CalibrationMap, calibrationFromJson } from '../calibration';
import { FeatureDistribution } from '../drift/feature-distribution';
import { GfrError } from '../errors';
import { featureNames, featureSetVersion } from '../features/feature-spec';
import { TreeEnsemble } from '../gbdt';
import { ArtifactManifest, manifestFileName, manifestSchema } from './manifest';

/** A model artifact is missing, malformed or incompatible with this code. */
export class ArtifactInvalidError extends GfrError {
  constructor(
    readonly location: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super('ARTIFACT_INVALID', `model artifact ${location}: ${message}`, options);
  }
}

/** A loaded model artifact: both heads with their calibrations and the manifest. */
export interface LoadedArtifact {
  /** Where it was loaded from: its folder or its `.tar.gz`. */
  directory: string;
  manifest: ArtifactManifest;
  ctr: { model: TreeEnsemble; calibration: CalibrationMap };
  cvr: { model: TreeEnsemble; calibration: CalibrationMap } | null;
  featureDistributions: FeatureDistribution[];
}

/**
 * Loads an artifact from its directory (such as /opt/ml/model) or from a `model.tar.gz`, which
 * is unpacked into a temporary directory first. Everything is validated: the manifest's shape,
 * the feature set against this code's, and each model file.
 */
export async function loadArtifact(location: string): Promise<LoadedArtifact> {
  if (!fs.existsSync(location)) throw new ArtifactInvalidError(location, 'does not exist');
  if (fs.statSync(location).isDirectory()) return readArtifact(location, location);

  // Everything is read into memory, so the unpacked copy is removed whatever happens.
  const unpacked = await unpack(location);
  try {
    return readArtifact(unpacked, location);
  } finally {
    fs.rmSync(unpacked, { recursive: true, force: true });
  }
}

/** Reads the artifact files in `directory`; errors and the result name `location`. */
function readArtifact(directory: string, location: string): LoadedArtifact {
  const named = (error: unknown) =>
    error instanceof ArtifactInvalidError && location !== directory
      ? new ArtifactInvalidError(
          location,
          error.message.replace(`model artifact ${directory}: `, ''),
          {
            cause: error,
          },
        )
      : error;
  try {
    return readArtifactFiles(directory, location);
  } catch (error) {
    throw named(error);
  }
}

function readArtifactFiles(directory: string, location: string): LoadedArtifact {
  const manifest = readManifest(directory);
  if (
    manifest.feature_set_version !== featureSetVersion ||
    manifest.feature_names.join(',') !== featureNames.join(',')
  ) {
    throw new ArtifactInvalidError(
      directory,
      `was trained on feature set ${manifest.feature_set_version} ` +
        `(${manifest.feature_names.length} features) but this gfr computes feature set ` +
        `${featureSetVersion} (${featureNames.length} features): retrain it with this version`,
    );
  }

  const calibrations = readJson(directory, manifest.files.calibration) as Record<string, unknown>;
  const head = (name: 'ctr' | 'cvr') => {
    const entry = manifest.heads[name];
    if (!entry) return null;
    try {
      return {
        model: TreeEnsemble.fromXGBoostJson(readText(directory, entry.model_file)),
        calibration: calibrationFromJson(calibrations[name]),
      };
    } catch (error) {
      if (error instanceof ArtifactInvalidError) throw error;
      throw new ArtifactInvalidError(directory, `cannot load the ${name} head: ${String(error)}`, {
        cause: error,
      });
    }
  };

  return {
    directory: location,
    manifest,
    ctr: head('ctr')!,
    cvr: head('cvr'),
    featureDistributions: readJson(
      directory,
      manifest.files.feature_distributions,
    ) as FeatureDistribution[],
  };
}

function readManifest(directory: string): ArtifactManifest {
  const parsed = manifestSchema.safeParse(readJson(directory, manifestFileName));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ArtifactInvalidError(
      directory,
      `${manifestFileName} field "${issue.path.join('.')}": ${issue.message}`,
    );
  }
  return parsed.data;
}

function readText(directory: string, name: string): string {
  const file = path.join(directory, name);
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new ArtifactInvalidError(directory, `cannot read ${name}`, { cause: error });
  }
}

function readJson(directory: string, name: string): unknown {
  const text = readText(directory, name);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ArtifactInvalidError(directory, `${name} is not valid JSON`, { cause: error });
  }
}

async function unpack(tarball: string): Promise<string> {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'gfr-artifact-'));
  try {
    await tar.extract({ file: tarball, cwd: directory, strict: true });
  } catch (error) {
    throw new ArtifactInvalidError(tarball, 'is not a readable .tar.gz', { cause: error });
  }
  return directory;
}
