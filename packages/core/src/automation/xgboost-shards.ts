/**
 * The pCTR training sets in the form SageMaker's built-in XGBoost reads: Parquet with the label
 * first and one column per feature (null = missing), the training part split into several
 * similar-sized objects so that `ShardedByS3Key` gives every instance its own share. Validation
 * is sharded too: a host whose validation folder is empty is silently dropped from training.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { DuckSession, sqlPath } from '../duckdb/database';
import { featureNames } from '../features/feature-spec';
import { produceAtomically } from '../io/atomic';

/** The channel folders {@link writeXGBoostShards} writes under its output. */
export const xgboostChannels = ['train', 'validation'] as const;

/**
 * Writes `<outDir>/train/part-0000i.parquet` and `<outDir>/validation/part-0000i.parquet`, `shards`
 * files each, from the `ctr-examples.parquet` that `writeTrainingSets` stored. Rows are dealt out
 * round-robin in time order, so every shard spans the whole window. Returns rows per channel.
 * The folder is produced atomically (a temporary sibling renamed into place when every shard is
 * written): a kill or a failure mid-write never leaves a channel with some of its shards, which
 * SageMaker would train on as if complete. An existing `outDir` may hold only the channels.
 */
export async function writeXGBoostShards(
  examplesFile: string,
  outDir: string,
  shards: number,
): Promise<Record<(typeof xgboostChannels)[number], number>> {
  if (!Number.isInteger(shards) || shards < 1) {
    throw new RangeError(`shards must be a positive integer, got ${shards}`);
  }
  return produceAtomically(
    outDir,
    (temporaryDir) => writeShards(examplesFile, temporaryDir, shards),
    { replaceableEntries: xgboostChannels },
  );
}

async function writeShards(
  examplesFile: string,
  outDir: string,
  shards: number,
): Promise<Record<(typeof xgboostChannels)[number], number>> {
  const columns = ['label', ...featureNames.map((name) => `"f_${name}"`)].join(', ');
  const counts = { train: 0, validation: 0 };
  const session = await DuckSession.open();
  try {
    for (const channel of xgboostChannels) {
      const directory = path.join(outDir, channel);
      fs.mkdirSync(directory, { recursive: true });
      await session.run(`CREATE OR REPLACE TABLE shard_rows AS
        SELECT ${columns}, (row_number() OVER (ORDER BY t, request_id, item_id) - 1) % ${shards} AS shard
        FROM read_parquet(${sqlPath(examplesFile)}) WHERE part = '${channel}'`);
      for (let shard = 0; shard < shards; shard++) {
        const file = path.join(directory, `part-${String(shard).padStart(5, '0')}.parquet`);
        await session.run(`COPY (SELECT ${columns} FROM shard_rows WHERE shard = ${shard})
          TO ${sqlPath(file)} (FORMAT parquet)`);
      }
      const [row] = await session.jsonRows('SELECT count(*) AS n FROM shard_rows');
      counts[channel] = Number(row.n);
    }
    return counts;
  } finally {
    session.close();
  }
}
