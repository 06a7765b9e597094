import * as fs from 'node:fs';
import * as path from 'node:path';

import { InputNotFoundError } from '../errors';
import { IngestContext } from './context';
import { IngestFormatError } from './errors';
import { GenericTableName } from './generic-columns';
import { readGenericCsv } from './generic-csv';
import { readGenericParquet } from './generic-parquet';
import { isDirectory } from './input-paths';

/** One file of a generic-format input. */
interface GenericFile {
  path: string;
  format: 'csv' | 'parquet';
}

/** The files of a generic-format input; only the events file is required. */
type GenericLayout = Partial<Record<GenericTableName, GenericFile>> & { events: GenericFile };

const fileFormats = ['csv', 'parquet'] as const;

/**
 * Reads gfr's generic log format (docs/generic-log-format.md): a folder with `events.csv` or
 * `events.parquet` and optionally `items.*` and `users.*`, or a single events file. Items and
 * users files are catalogues (one row per id); without them every item gets category `unknown`
 * and users are known by id only.
 */
export async function readGeneric(input: string, context: IngestContext): Promise<void> {
  const layout = resolveGenericLayout(input);
  const tables = (['events', 'items', 'users'] as const).filter((table) => layout[table]);
  context.expectFiles(tables.map((table) => (layout[table] as GenericFile).path));

  context.staging.itemSource = layout.items ? 'catalogue' : 'none';
  context.staging.itemFile = layout.items?.path ?? '';
  context.staging.userSource = layout.users ? 'catalogue' : 'event-ids';
  context.staging.userFile = layout.users?.path ?? '';

  for (const table of tables) {
    const file = layout[table] as GenericFile;
    if (file.format === 'csv') await readGenericCsv(context, table, file.path);
    else await readGenericParquet(context, table, file.path);
  }
}

function resolveGenericLayout(input: string): GenericLayout {
  if (!fs.existsSync(input)) throw new InputNotFoundError(input);
  if (!isDirectory(input)) {
    const format = fileFormats.find((candidate) => input.endsWith(`.${candidate}`));
    if (format === undefined) {
      throw new IngestFormatError(input, 'a generic events file must end in .csv or .parquet');
    }
    return { events: { path: input, format } };
  }

  const layout: Partial<Record<GenericTableName, GenericFile>> = {};
  for (const table of ['events', 'items', 'users'] as const) {
    const found = fileFormats
      .map((format) => ({ path: path.join(input, `${table}.${format}`), format }))
      .filter((candidate) => fs.existsSync(candidate.path));
    if (found.length > 1) {
      throw new IngestFormatError(
        input,
        `both ${table}.csv and ${table}.parquet exist; keep one of them`,
      );
    }
    if (found.length === 1) layout[table] = found[0];
  }
  if (!layout.events) {
    throw new IngestFormatError(input, 'no events.csv or events.parquet in this folder');
  }
  return layout as GenericLayout;
}
