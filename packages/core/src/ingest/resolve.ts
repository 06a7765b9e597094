import { IngestContext } from './context';
import { InputFileRole, maxReportedBadRows } from './report';

/** Category given to items the log names but describes nowhere. */
export const unknownCategory = 'unknown';

/**
 * Builds the canonical items and users tables from the staging tables: the latest sighting of
 * each attribute, or the first catalogue row per id (later repeats become bad rows, which is
 * why this runs before the bad-row check). Adds a note on items seen with several categories.
 */
export async function resolveItemsAndUsers(context: IngestContext): Promise<void> {
  const { staging } = context;
  context.writer.flush();
  staging.close();

  if (staging.itemSource === 'sightings') await resolveItemSightings(context);
  if (staging.itemSource === 'catalogue') {
    await resolveCatalogue(context, 'items', staging.itemFile);
  }
  if (staging.userSource === 'catalogue') {
    await resolveCatalogue(context, 'users', staging.userFile);
  }
  if (staging.userSource === 'derived') {
    await context.writer.duck.run(
      'INSERT INTO users SELECT user_id, geo, acquisition_channel, attributes FROM staged_users',
    );
  }
}

/**
 * Gives every item and user that occurs in the events but in no item or user data a row of its
 * own (category `unknown` for items), so that joins never lose an event, and notes how many.
 */
export async function fillUnknownItemsAndUsers(context: IngestContext): Promise<void> {
  const { staging } = context;
  const missingItems = await count(
    context,
    `SELECT count(DISTINCT item_id) FROM events e
     WHERE NOT EXISTS (SELECT 1 FROM items i WHERE i.item_id = e.item_id)`,
  );
  await context.writer.duck.run(
    `INSERT INTO items (item_id, category)
     SELECT DISTINCT item_id, '${unknownCategory}' FROM events e
     WHERE NOT EXISTS (SELECT 1 FROM items i WHERE i.item_id = e.item_id)`,
  );
  if (staging.itemSource === 'none' && missingItems > 0) {
    context.notes.push(
      `no item data: all ${missingItems} items of the events get category '${unknownCategory}'`,
    );
  } else if (missingItems > 0) {
    context.notes.push(
      `${missingItems} items occur in the events but not in the item data; they get category ` +
        `'${unknownCategory}'`,
    );
  }

  const missingUsers = await count(
    context,
    `SELECT count(DISTINCT user_id) FROM events e
     WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.user_id = e.user_id)`,
  );
  await context.writer.duck.run(
    `INSERT INTO users (user_id)
     SELECT DISTINCT user_id FROM events e
     WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.user_id = e.user_id)`,
  );
  if (staging.userSource === 'event-ids') {
    context.notes.push('users are known by id only (no geo, acquisition channel or attributes)');
  } else if (missingUsers > 0) {
    context.notes.push(
      `${missingUsers} users occur in the events but not in the user data; they get a row ` +
        'with id only',
    );
  }
}

async function resolveItemSightings(context: IngestContext): Promise<void> {
  const session = context.writer.duck;
  // The latest sighting wins, attribute by attribute: arg_max skips nulls, so an event without a
  // brand does not erase the brand an earlier event gave. Ties in time go to the later line.
  const latest = (column: string) => `arg_max(${column}, (seen_at, line))`;
  await session.run(
    `INSERT INTO items
     SELECT item_id,
            coalesce(${latest('category')}, ${latest('category_fallback')}, '${unknownCategory}'),
            ${latest('brand')}, ${latest('price')}, ${latest('created_at')}, ${latest('rating')},
            ${latest('discount')}, ${latest('attributes')}
     FROM staged_items GROUP BY item_id`,
  );

  const conflicting = await count(
    context,
    `SELECT count(*) FROM (
       SELECT item_id FROM staged_items GROUP BY item_id
       HAVING count(DISTINCT coalesce(category, category_fallback)) > 1)`,
  );
  if (conflicting > 0) {
    context.notes.push(
      `${conflicting} items appear with more than one category; the latest one is kept`,
    );
  }
}

async function resolveCatalogue(
  context: IngestContext,
  table: 'items' | 'users',
  file: string,
): Promise<void> {
  const session = context.writer.duck;
  const idColumn = table === 'items' ? 'item_id' : 'user_id';
  const staged = table === 'items' ? 'staged_items' : 'staged_users';
  const columns =
    table === 'items'
      ? `item_id, coalesce(category, '${unknownCategory}'), brand, price, created_at, rating,
         discount, attributes`
      : 'user_id, geo, acquisition_channel, attributes';
  await session.run(
    `CREATE TEMP TABLE ranked_${table} AS
     SELECT *, row_number() OVER (PARTITION BY ${idColumn} ORDER BY line) AS occurrence,
            min(line) OVER (PARTITION BY ${idColumn}) AS first_line
     FROM ${staged}`,
  );
  await session.run(
    `INSERT INTO ${table} SELECT ${columns} FROM ranked_${table} WHERE occurrence = 1`,
  );

  const tally = context.tallyOf(file, table as InputFileRole);
  if (tally === undefined) {
    // Every catalogue is read before it is resolved; reaching this is a bug, not bad input.
    throw new Error(`internal error: catalogue ${file} was staged but never read`);
  }
  const duplicates = await count(
    context,
    `SELECT count(*) FROM ranked_${table} WHERE occurrence > 1`,
  );
  if (duplicates === 0) return;
  const listed = Math.max(0, maxReportedBadRows - context.badRows.length);
  const rows = await session.jsonRows(
    `SELECT line::DOUBLE AS line, ${idColumn} AS id, first_line::DOUBLE AS first_line, text
     FROM ranked_${table} WHERE occurrence > 1 ORDER BY line LIMIT ${listed}`,
  );
  for (const row of rows) {
    const reason = `duplicate ${idColumn} '${String(row.id)}' (first on line ${Number(row.first_line)})`;
    context.badRow(tally, Number(row.line), reason, String(row.text ?? ''));
  }
  context.countUnlistedBadRows(tally, duplicates - rows.length);
}

async function count(context: IngestContext, sql: string): Promise<number> {
  const [row] = await context.writer.duck.rows(sql);
  return Number(Object.values(row)[0]);
}
