import { IngestFormatError } from './errors';

/**
 * Finds named columns in a header. Returns each column's index, -1 for an absent optional
 * column; throws {@link IngestFormatError} naming the missing required columns, or a column
 * name that appears twice, together with the header that was found.
 */
export function locateColumns<Required extends string, Optional extends string = never>(
  file: string,
  header: string[],
  required: readonly Required[],
  optional: readonly Optional[] = [],
): Record<Required | Optional, number> {
  const names = header.map((name) => name.trim());
  const repeated = names.find((name, index) => name !== '' && names.indexOf(name) !== index);
  if (repeated !== undefined) {
    throw new IngestFormatError(file, `column '${repeated}' appears twice in the header`);
  }

  const missing = required.filter((name) => !names.includes(name));
  if (missing.length > 0) {
    throw new IngestFormatError(
      file,
      `missing required column(s) ${missing.join(', ')}; header found: ${names.join(',')}`,
    );
  }

  const positions = {} as Record<Required | Optional, number>;
  for (const name of [...required, ...optional]) positions[name] = names.indexOf(name);
  return positions;
}
