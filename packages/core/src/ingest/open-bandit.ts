import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { locateColumns } from './columns';
import { IngestContext } from './context';
import { readCsvFile } from './csv-file';
import { IngestFormatError } from './errors';
import { isDirectory } from './input-paths';
import { checkTimestampRange, parseDateTime, parseDecimal, parseInteger } from './values';

const itemContextFileName = 'item_context.csv';
const userFeatureColumns = [
  'user_feature_0',
  'user_feature_1',
  'user_feature_2',
  'user_feature_3',
] as const;
// The first, unnamed column of both files is pandas' row index: it carries no information.
// The `user-item_affinity_N` columns are deliberately not read: they are the logging system's
// own features at logging time, and gfr computes its affinities point-in-time from the events.
const eventColumns = [
  'timestamp',
  'item_id',
  'position',
  'click',
  'propensity_score',
  ...userFeatureColumns,
] as const;
const itemColumns = [
  'item_id',
  'item_feature_0',
  'item_feature_1',
  'item_feature_2',
  'item_feature_3',
] as const;

/**
 * Reads one Open Bandit Dataset campaign folder (e.g. `bts/men`): the log `<folder>.csv` and
 * `item_context.csv`. Every log row is a real impression (with position and the logging
 * policy's propensity); a row with `click = 1` adds a click at the same time and position.
 *
 * The log has no user id, only four hashed user features; the user id is a short hash of them,
 * so one "user" stands for everyone who shares those features. `request_id` is the campaign and
 * the row's timestamp: rows sharing a timestamp are slots of one recommendation. In the shared
 * bts/men sample only 2 of 9,998 timestamps are shared (by 2 rows each, same user features,
 * different positions): the sample holds about one of the three slots per recommendation.
 */
export async function readOpenBandit(input: string, context: IngestContext): Promise<void> {
  const { logFile, itemFile, campaign } = resolveOpenBanditFiles(input);
  context.expectFiles([logFile, itemFile]);
  context.staging.itemSource = 'catalogue';
  context.staging.itemFile = itemFile;
  context.staging.userSource = 'derived';

  await readImpressions(context, logFile, campaign);
  await readItemContext(context, itemFile);

  context.notes.push(
    'open-bandit: impressions are real (3-slot widget, positions 1..3) with the logging ' +
      "policy's propensity; request_id = campaign and timestamp",
    'open-bandit: no user ids in this log; each user is a hash of the 4 hashed user features ' +
      '(a group of people, not one person); geo and acquisition channel are unknown',
    'open-bandit: timestamps have microseconds; canonical times keep milliseconds, request_id ' +
      'keeps the full timestamp',
    'open-bandit: item_feature_0 is standardised (not a price) and stays in attributes; ' +
      'category = item_feature_1, brand = item_feature_2',
  );
}

async function readImpressions(
  context: IngestContext,
  logFile: string,
  campaign: string,
): Promise<void> {
  const { writer, staging } = context;
  const userIds = new Map<string, string>();
  let column = {} as Record<(typeof eventColumns)[number], number>;

  await readCsvFile(context, {
    file: logFile,
    role: 'events',
    limited: true,
    onHeader: (header) => {
      column = locateColumns(logFile, header, eventColumns);
    },
    onRow: (fields, line) => {
      const timestamp = fields[column.timestamp];
      const itemId = fields[column.item_id];
      const ms = parseDateTime(timestamp);
      if (ms === undefined) return `unparsable timestamp '${timestamp}'`;
      const checked = checkTimestampRange(ms, timestamp);
      if ('error' in checked) return checked.error;
      if (itemId === '') return 'empty item_id';
      const position = parseInteger(fields[column.position]);
      if (position === undefined || position < 1) {
        return `position '${fields[column.position]}' is not a positive integer`;
      }
      const click = fields[column.click];
      if (click !== '0' && click !== '1') return `click '${click}' is not 0 or 1`;
      const propensity = parseDecimal(fields[column.propensity_score]);
      if (propensity === undefined || propensity <= 0 || propensity > 1) {
        return `propensity_score '${fields[column.propensity_score]}' is not in (0, 1]`;
      }

      const features = userFeatureColumns.map((name) => fields[column[name]]);
      const featureKey = features.join('\u001f');
      let userId = userIds.get(featureKey);
      if (userId === undefined) {
        userId = pseudoUserId(features);
        userIds.set(featureKey, userId);
        const attributes = Object.fromEntries(
          userFeatureColumns.map((name, i) => [name, features[i]]),
        );
        staging.stageUser(
          { user_id: userId, attributes: JSON.stringify(attributes) },
          { line: line.lineNumber },
        );
      }

      const event = {
        ts: new Date(ms),
        user_id: userId,
        item_id: itemId,
        position,
        request_id: `${campaign}@${timestamp}`,
        propensity,
      };
      writer.addEvent({ ...event, type: 'impression' });
      if (click === '1') writer.addEvent({ ...event, type: 'click' });
      return undefined;
    },
  });
}

async function readItemContext(context: IngestContext, itemFile: string): Promise<void> {
  let column = {} as Record<(typeof itemColumns)[number], number>;

  await readCsvFile(context, {
    file: itemFile,
    role: 'items',
    limited: false,
    onHeader: (header) => {
      column = locateColumns(itemFile, header, itemColumns);
    },
    onRow: (fields, line) => {
      const itemId = fields[column.item_id];
      if (itemId === '') return 'empty item_id';
      const standardisedFeature = parseDecimal(fields[column.item_feature_0]);
      if (standardisedFeature === undefined) {
        return `unparsable item_feature_0 '${fields[column.item_feature_0]}'`;
      }
      const category = fields[column.item_feature_1];
      if (category === '') return 'empty item_feature_1 (the category)';

      const brand = fields[column.item_feature_2];
      const attributes = {
        item_feature_0: standardisedFeature,
        item_feature_1: category,
        item_feature_2: brand,
        item_feature_3: fields[column.item_feature_3],
      };
      context.staging.stageItem(
        {
          item_id: itemId,
          category,
          brand: brand === '' ? null : brand,
          attributes: JSON.stringify(attributes),
        },
        { line: line.lineNumber, text: line.text },
      );
      return undefined;
    },
  });
}

/** A stable id for the group of users sharing the four hashed features. */
function pseudoUserId(features: string[]): string {
  const digest = createHash('sha256').update(features.join('\u001f')).digest('hex');
  return `obd-${digest.slice(0, 16)}`;
}

function resolveOpenBanditFiles(input: string): {
  logFile: string;
  itemFile: string;
  campaign: string;
} {
  if (!isDirectory(input)) {
    // A log file given directly: its item context sits beside it.
    const folder = path.dirname(input);
    return {
      logFile: input,
      itemFile: path.join(folder, itemContextFileName),
      campaign: path.basename(input, '.csv'),
    };
  }

  const campaign = path.basename(path.resolve(input));
  const named = path.join(input, `${campaign}.csv`);
  if (fs.existsSync(named)) {
    return { logFile: named, itemFile: path.join(input, itemContextFileName), campaign };
  }
  const candidates = fs
    .readdirSync(input)
    .filter((name) => name.endsWith('.csv') && name !== itemContextFileName);
  if (candidates.length !== 1) {
    throw new IngestFormatError(
      input,
      `expected ${campaign}.csv or exactly one log CSV beside ${itemContextFileName}, ` +
        `found: ${candidates.join(', ') || 'none'}`,
    );
  }
  return {
    logFile: path.join(input, candidates[0]),
    itemFile: path.join(input, itemContextFileName),
    campaign: path.basename(candidates[0], '.csv'),
  };
}
