import * as fs from 'node:fs';
import * as path from 'node:path';

import { EventType } from '../canonical/schema';
import { IngestContext } from './context';
import { readCsvFile } from './csv-file';
import { isDirectory } from './input-paths';
import { checkTimestampRange, parseUnixSeconds } from './values';

/** Taobao behaviours and what they are in gfr's terms. */
const behaviorTypes = new Map<string, EventType>([
  // "pv" is an item detail page view: the user clicked the item somewhere to get there.
  ['pv', 'click'],
  ['cart', 'cart'],
  ['fav', 'favorite'],
  ['buy', 'purchase'],
]);

/** File names tried when the input is a folder: the full log, then the shared head sample. */
const taobaoFileNames = ['UserBehavior.csv', 'UserBehavior_head.csv'];

/**
 * Reads Taobao UserBehavior (Tianchi 649): no header, `user_id,item_id,category_id,
 * behavior_type,timestamp` with unix seconds. Items are staged from every event (category
 * only; the log has no brand, price or creation time); users are known by id only.
 */
export async function readTaobao(input: string, context: IngestContext): Promise<void> {
  const file = resolveTaobaoFile(input);
  context.expectFiles([file]);
  context.staging.itemSource = 'sightings';
  context.staging.userSource = 'event-ids';

  const { writer, staging } = context;
  await readCsvFile(context, {
    file,
    role: 'events',
    fieldCount: 5,
    limited: true,
    onRow: ([userId, itemId, categoryId, behavior, timestamp], line) => {
      if (userId === '') return 'empty user_id';
      if (itemId === '') return 'empty item_id';
      if (categoryId === '') return 'empty category_id';
      const type = behaviorTypes.get(behavior);
      if (type === undefined) {
        return `unknown behavior_type '${behavior}' (expected pv, cart, fav or buy)`;
      }
      const ms = parseUnixSeconds(timestamp);
      if (ms === undefined) return `unparsable timestamp '${timestamp}' (expected unix seconds)`;
      const checked = checkTimestampRange(ms, timestamp);
      if ('error' in checked) return checked.error;

      writer.addEvent({ ts: new Date(ms), user_id: userId, item_id: itemId, type });
      staging.sightItem({ item_id: itemId, category: categoryId }, ms, line.lineNumber);
      return undefined;
    },
  });

  context.notes.push(
    'taobao: pv (item detail page view) is mapped to click, fav to favorite, buy to purchase',
    'taobao: timestamps are unix seconds, stored as UTC; the official window ' +
      '2017-11-25 .. 2017-12-03 is in Beijing time (UTC+8)',
    'taobao: the log has no price, brand or item creation time; items carry category_id only',
  );
}

function resolveTaobaoFile(input: string): string {
  if (!isDirectory(input)) return input;
  const found = taobaoFileNames.map((name) => path.join(input, name)).find(fs.existsSync);
  // A missing file is reported by expectFiles with the first name tried.
  return found ?? path.join(input, taobaoFileNames[0]);
}
