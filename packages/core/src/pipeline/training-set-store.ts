import * as fs from 'node:fs';
import * as path from 'node:path';

import { DuckSession, sqlPath } from '../duckdb/database';
import { GfrError } from '../errors';
import { FeatureSettings, featureNames, featureSetVersion } from '../features/feature-spec';
import { produceAtomically } from '../io/atomic';
import { SplitPart, TimeSplit } from '../training-set/time-split';
import { Head, PreparedTrainingSets, TrainingSet } from './training-sets';

/** Training sets on disk are missing or do not match this code's feature set. */
export class TrainingSetsInvalidError extends GfrError {
  constructor(directory: string, message: string, options?: { cause?: unknown }) {
    super('TRAINING_SETS_INVALID', `training sets in ${directory}: ${message}`, options);
  }
}

const metadataFile = 'training-sets.json';
const setFile = (head: Head) => `${head}-examples.parquet`;

interface StoredMetadata {
  feature_set_version: number;
  feature_names: string[];
  feature_settings: FeatureSettings;
  split: TimeSplit;
  reconstructed_impressions: boolean;
  negative_keep_rate: number;
  heads: Head[];
  notes: string[];
}

/**
 * Stores prepared training sets as `ctr-examples.parquet`, `cvr-examples.parquet` (one column
 * per feature, plus label, part and ids) and `training-sets.json`, atomically as one folder.
 */
export async function writeTrainingSets(
  directory: string,
  prepared: PreparedTrainingSets,
): Promise<void> {
  const replaceableEntries = [metadataFile, setFile('ctr'), setFile('cvr')];
  await produceAtomically(
    directory,
    async (temporary) => {
      fs.mkdirSync(temporary, { recursive: true });
      const sets = [prepared.ctr, prepared.cvr].filter((set): set is TrainingSet => set !== null);
      const session = await DuckSession.open();
      try {
        for (const set of sets) {
          await writeSet(session, set, path.join(temporary, setFile(set.head)));
        }
      } finally {
        session.close();
      }
      const metadata: StoredMetadata = {
        feature_set_version: featureSetVersion,
        feature_names: [...featureNames],
        feature_settings: prepared.featureSettings,
        split: prepared.split,
        reconstructed_impressions: prepared.reconstructedImpressions,
        negative_keep_rate: prepared.negativeKeepRate,
        heads: sets.map((set) => set.head),
        notes: prepared.notes,
      };
      fs.writeFileSync(
        path.join(temporary, metadataFile),
        JSON.stringify(metadata, null, 2) + '\n',
      );
    },
    { replaceableEntries },
  );
}

/** Reads training sets written by {@link writeTrainingSets}. */
export async function readTrainingSets(directory: string): Promise<PreparedTrainingSets> {
  const metadataPath = path.join(directory, metadataFile);
  if (!fs.existsSync(metadataPath)) {
    throw new TrainingSetsInvalidError(
      directory,
      `${metadataFile} is missing: run \`gfr features\` first`,
    );
  }
  const metadata = JSON.parse(fs.readFileSync(metadataPath, 'utf8')) as StoredMetadata;
  if (metadata.feature_set_version !== featureSetVersion) {
    throw new TrainingSetsInvalidError(
      directory,
      `made with feature set ${metadata.feature_set_version}, this gfr uses ${featureSetVersion}: rebuild them`,
    );
  }
  const session = await DuckSession.open();
  try {
    const read = (head: Head) => readSet(session, head, path.join(directory, setFile(head)));
    return {
      ctr: await read('ctr'),
      cvr: metadata.heads.includes('cvr') ? await read('cvr') : null,
      featureSettings: metadata.feature_settings,
      split: metadata.split,
      reconstructedImpressions: metadata.reconstructed_impressions,
      negativeKeepRate: metadata.negative_keep_rate,
      notes: metadata.notes,
    };
  } finally {
    session.close();
  }
}

async function writeSet(session: DuckSession, set: TrainingSet, file: string): Promise<void> {
  const featureColumns = featureNames.map((name) => `"f_${name}" FLOAT`).join(', ');
  await session.run(`CREATE OR REPLACE TABLE examples (t DOUBLE, user_id VARCHAR, item_id VARCHAR,
    request_id VARCHAR, channel VARCHAR, part VARCHAR, label FLOAT, purchased UTINYINT, ${featureColumns})`);
  const appender = await session.connection.createAppender('examples');
  const width = set.features.columns;
  for (let row = 0; row < set.labels.length; row++) {
    appender.appendDouble(set.times[row]);
    appender.appendVarchar(set.userIds[row]);
    appender.appendVarchar(set.itemIds[row]);
    appender.appendVarchar(set.requestIds[row]);
    const channel = set.channels[row];
    if (channel === null) appender.appendNull();
    else appender.appendVarchar(channel);
    appender.appendVarchar(set.parts[row]);
    appender.appendFloat(set.labels[row]);
    appender.appendUTinyInt(set.purchased[row]);
    for (let column = 0; column < width; column++) {
      const value = set.features.values[row * width + column];
      if (Number.isNaN(value)) appender.appendNull();
      else appender.appendFloat(value);
    }
    appender.endRow();
  }
  appender.closeSync();
  await session.run(`COPY examples TO ${sqlPath(file)} (FORMAT parquet)`);
}

async function readSet(session: DuckSession, head: Head, file: string): Promise<TrainingSet> {
  if (!fs.existsSync(file)) {
    throw new TrainingSetsInvalidError(path.dirname(file), `${path.basename(file)} is missing`);
  }
  const reader = await session.connection.runAndReadAll(
    `SELECT * FROM read_parquet(${sqlPath(file)})`,
  );
  const columns = reader.getColumnsObjectJS() as unknown as Record<
    string,
    (number | string | null)[]
  >;
  const rows = reader.currentRowCount;
  const width = featureNames.length;
  const values = new Float32Array(rows * width);
  featureNames.forEach((name, column) => {
    const stored = columns[`f_${name}`];
    if (!stored)
      throw new TrainingSetsInvalidError(path.dirname(file), `column f_${name} is missing`);
    for (let row = 0; row < rows; row++) {
      const value = stored[row];
      values[row * width + column] = value === null ? NaN : Number(value);
    }
  });
  return {
    head,
    features: { values, rows, columns: width, featureNames: [...featureNames] },
    labels: Float32Array.from(columns.label as number[]),
    purchased: Uint8Array.from(columns.purchased as number[]),
    parts: columns.part as SplitPart[],
    times: Float64Array.from(columns.t as number[]),
    userIds: columns.user_id as string[],
    itemIds: columns.item_id as string[],
    requestIds: columns.request_id as string[],
    channels: columns.channel as (string | null)[],
  };
}
