import { EventType } from '../canonical/schema';
import { locateColumns } from './columns';
import { IngestContext } from './context';
import { readCsvFile } from './csv-file';
import { IngestFormatError } from './errors';
import { isDirectory } from './input-paths';
import { checkTimestampRange, parseDateTime, parseDecimal } from './values';

/** REES46 event types and what they are in gfr's terms. */
const rees46EventTypes = new Map<string, EventType>([
  // A product page view follows a click on a listing, as Taobao's pv does.
  ['view', 'click'],
  ['cart', 'cart'],
  ['purchase', 'purchase'],
]);

/**
 * Event types of the REES46 logs that gfr has no canonical type for. They are reported as bad
 * rows with an explicit reason rather than mapped to something they are not.
 */
const unsupportedEventTypes = new Set(['remove_from_cart']);

const requiredColumns = [
  'event_time',
  'event_type',
  'product_id',
  'category_id',
  'category_code',
  'brand',
  'price',
  'user_id',
] as const;

/**
 * Reads a REES46 / Open CDP multi-category store log (header, CRLF): `event_time, event_type,
 * product_id, category_id, category_code, brand, price, user_id, user_session`. Items are staged
 * from every event, so the latest price, brand and category of each product win.
 *
 * `user_session` is deliberately not stored: a canonical `request_id` identifies one served
 * feed, while a session spans many page loads, so storing it there would make request-level
 * statistics wrong. Sessions can be rebuilt from user id and time gaps when needed.
 */
export async function readRees46(input: string, context: IngestContext): Promise<void> {
  if (isDirectory(input)) {
    throw new IngestFormatError(input, 'rees46 input must be a CSV file such as 2019-Oct.csv');
  }
  context.expectFiles([input]);
  context.staging.itemSource = 'sightings';
  context.staging.userSource = 'event-ids';

  const { writer, staging } = context;
  let column = {} as Record<(typeof requiredColumns)[number], number>;
  let emptyBrand = 0;
  let emptyCategoryCode = 0;
  let goodRows = 0;

  await readCsvFile(context, {
    file: input,
    role: 'events',
    limited: true,
    onHeader: (header) => {
      column = locateColumns(input, header, requiredColumns);
    },
    onRow: (fields, line) => {
      const eventTime = fields[column.event_time];
      const eventType = fields[column.event_type];
      const productId = fields[column.product_id];
      const categoryId = fields[column.category_id];
      const categoryCode = fields[column.category_code];
      const brand = fields[column.brand];
      const priceText = fields[column.price];
      const userId = fields[column.user_id];

      if (unsupportedEventTypes.has(eventType)) return `unsupported event type ${eventType}`;
      const type = rees46EventTypes.get(eventType);
      if (type === undefined) {
        return `unknown event_type '${eventType}' (expected view, cart or purchase)`;
      }
      if (userId === '') return 'empty user_id';
      if (productId === '') return 'empty product_id';
      if (categoryId === '') return 'empty category_id';
      const ms = parseDateTime(eventTime);
      if (ms === undefined) {
        return `unparsable event_time '${eventTime}' (expected e.g. 2019-10-01 00:00:00 UTC)`;
      }
      const checked = checkTimestampRange(ms, eventTime);
      if ('error' in checked) return checked.error;
      const price = priceText === '' ? null : parseDecimal(priceText);
      if (price === undefined) return `unparsable price '${priceText}'`;
      if (price !== null && price < 0) return `negative price '${priceText}'`;

      writer.addEvent({ ts: new Date(ms), user_id: userId, item_id: productId, type });
      staging.sightItem(
        {
          item_id: productId,
          category: categoryCode === '' ? null : categoryCode,
          categoryFallback: categoryId,
          brand: brand === '' ? null : brand,
          price,
          attributes: itemAttributes(categoryId, categoryCode),
        },
        ms,
        line.lineNumber,
      );
      goodRows++;
      if (brand === '') emptyBrand++;
      if (categoryCode === '') emptyCategoryCode++;
      return undefined;
    },
  });

  context.notes.push(
    'rees46: view (product page view) is mapped to click; user_session is not stored ' +
      '(a session is not one served feed)',
    `rees46: brand is empty on ${share(emptyBrand, goodRows)} of events and category_code on ` +
      `${share(emptyCategoryCode, goodRows)}; such items fall back to category_id as category`,
  );
}

/** `{category_id, category_code, category_level_1, ...}` with the dotted code split into levels. */
function itemAttributes(categoryId: string, categoryCode: string): string {
  const attributes: Record<string, string> = { category_id: categoryId };
  if (categoryCode !== '') {
    attributes.category_code = categoryCode;
    categoryCode.split('.').forEach((level, index) => {
      attributes[`category_level_${index + 1}`] = level;
    });
  }
  return JSON.stringify(attributes);
}

function share(part: number, whole: number): string {
  return whole === 0 ? '0 %' : `${((part / whole) * 100).toFixed(1)} %`;
}
