import { EventType } from '../canonical/schema';
import { locateColumns } from './columns';
import { IngestContext } from './context';
import { readCsvFile } from './csv-file';
import {
  GenericColumn,
  GenericTableName,
  checkGenericValue,
  genericTables,
} from './generic-columns';

/** A checked row: canonical column name to value (ms for timestamps, null for empty). */
type CheckedRow = Record<string, string | number | null>;

/**
 * Reads one generic-format table from CSV line by line. The header names the columns (in any
 * order); every value is checked with {@link checkGenericValue}; the first bad value makes the
 * row a bad row. Columns beyond the format's go into `attributes` for items and users and are
 * ignored (with a note) for events.
 */
export async function readGenericCsv(
  context: IngestContext,
  table: GenericTableName,
  file: string,
): Promise<void> {
  const spec: readonly GenericColumn[] = genericTables[table];
  let present: { column: GenericColumn; index: number }[] = [];
  let extras: { name: string; index: number }[] = [];

  await readCsvFile(context, {
    file,
    role: table,
    limited: table === 'events',
    onHeader: (header) => {
      const required = spec.filter((column) => column.required).map((column) => column.name);
      const optional = spec.filter((column) => !column.required).map((column) => column.name);
      const positions: Record<string, number> = locateColumns(file, header, required, optional);
      present = spec
        .map((column) => ({ column, index: positions[column.name] }))
        .filter(({ index }) => index !== -1);
      const known = new Set(spec.map((column) => column.name));
      extras = header
        .map((name, index) => ({ name: name.trim(), index }))
        .filter(({ name }) => !known.has(name));
    },
    onRow: (fields, line) => {
      const row: CheckedRow = {};
      for (const { column, index } of present) {
        const checked = checkGenericValue(column, fields[index]);
        if ('error' in checked) return checked.error;
        row[column.name] = checked.value;
      }

      if (table === 'events') addEvent(context, row);
      else {
        const attributes = mergeAttributes(row.attributes as string | null, extras, fields);
        if (table === 'items') stageItem(context, row, attributes, line.lineNumber, line.text);
        else stageUser(context, row, attributes, line.lineNumber, line.text);
      }
      return undefined;
    },
  });

  const named = extras.filter(({ name }) => name !== '').map(({ name }) => name);
  if (named.length > 0) {
    context.notes.push(
      table === 'events'
        ? `${file}: ignored columns ${named.join(', ')} (not part of the events format)`
        : `${file}: columns ${named.join(', ')} are kept in attributes`,
    );
  }
  if (extras.length > named.length) {
    context.notes.push(`${file}: ignored the column(s) without a name (such as a row index)`);
  }
}

function addEvent(context: IngestContext, row: CheckedRow): void {
  context.writer.addEvent({
    ts: new Date(row.ts as number),
    user_id: row.user_id as string,
    item_id: row.item_id as string,
    type: row.type as EventType,
    position: (row.position as number | undefined) ?? null,
    channel: (row.channel as string | undefined) ?? null,
    request_id: (row.request_id as string | undefined) ?? null,
    propensity: (row.propensity as number | undefined) ?? null,
  });
}

function stageItem(
  context: IngestContext,
  row: CheckedRow,
  attributes: string | null,
  line: number,
  text: string,
): void {
  const createdAt = row.created_at as number | null | undefined;
  context.staging.stageItem(
    {
      item_id: row.item_id as string,
      // An empty category becomes 'unknown' when the catalogue is resolved.
      category: (row.category as string | null | undefined) ?? '',
      brand: (row.brand as string | undefined) ?? null,
      price: (row.price as number | undefined) ?? null,
      created_at: createdAt === null || createdAt === undefined ? null : new Date(createdAt),
      rating: (row.rating as number | undefined) ?? null,
      discount: (row.discount as number | undefined) ?? null,
      attributes,
    },
    { line, text },
  );
}

function stageUser(
  context: IngestContext,
  row: CheckedRow,
  attributes: string | null,
  line: number,
  text: string,
): void {
  context.staging.stageUser(
    {
      user_id: row.user_id as string,
      geo: (row.geo as string | undefined) ?? null,
      acquisition_channel: (row.acquisition_channel as string | undefined) ?? null,
      attributes,
    },
    { line, text },
  );
}

/** The row's `attributes` object with the named extra columns added; null when it is empty. */
function mergeAttributes(
  own: string | null | undefined,
  extras: { name: string; index: number }[],
  fields: string[],
): string | null {
  const named = extras.filter(({ name, index }) => name !== '' && fields[index] !== '');
  if (named.length === 0) return own ?? null;
  const merged: Record<string, unknown> = own ? (JSON.parse(own) as Record<string, unknown>) : {};
  for (const { name, index } of named) merged[name] = fields[index];
  return JSON.stringify(merged);
}
