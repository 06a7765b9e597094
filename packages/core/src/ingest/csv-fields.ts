/** The fields of one CSV line, or the reason it cannot be split. */
export type CsvSplit =
  { fields: string[]; error?: undefined } | { fields?: undefined; error: string };

const quote = '"';

/**
 * Splits one CSV line on commas, honouring RFC 4180 quoting: a field that starts with `"` runs to
 * the matching `"`, may hold commas, and writes a literal quote as `""`. A quote inside an
 * unquoted field is kept as an ordinary character (as in `5'10"`), which is what spreadsheet
 * exports produce. Line breaks inside quoted fields are not supported, because the adapters
 * read line by line: such a field shows up as "unterminated quoted field".
 */
export function splitCsvLine(line: string): CsvSplit {
  // Most lines of machine-written logs hold no quotes at all; split them the cheap way.
  if (!line.includes(quote)) return { fields: line.split(',') };

  const fields: string[] = [];
  let position = 0;
  for (;;) {
    if (line[position] === quote) {
      const parsed = readQuotedField(line, position);
      if (parsed.error !== undefined) return { error: parsed.error };
      fields.push(parsed.value);
      position = parsed.next;
    } else {
      const comma = line.indexOf(',', position);
      const end = comma === -1 ? line.length : comma;
      fields.push(line.slice(position, end));
      position = end;
    }

    if (position >= line.length) return { fields };
    // `position` is at a comma: either the unquoted branch stopped there or the quoted one
    // checked it; a comma as the last character means one more empty field.
    position++;
    if (position === line.length) {
      fields.push('');
      return { fields };
    }
  }
}

function readQuotedField(
  line: string,
  start: number,
): { value: string; next: number; error?: undefined } | { error: string } {
  let value = '';
  let position = start + 1;
  for (;;) {
    const closing = line.indexOf(quote, position);
    if (closing === -1) {
      return { error: `unterminated quoted field starting at column ${start + 1}` };
    }
    value += line.slice(position, closing);
    if (line[closing + 1] === quote) {
      value += quote;
      position = closing + 2;
      continue;
    }
    const after = closing + 1;
    if (after < line.length && line[after] !== ',') {
      return {
        error: `unexpected character '${line[after]}' after the closing quote at column ${after + 1}`,
      };
    }
    return { value, next: after };
  }
}
