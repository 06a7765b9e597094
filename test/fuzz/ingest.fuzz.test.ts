import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';

import { CanonicalEvent } from '../../packages/core/src/canonical/schema';
import { CanonicalTableWriter } from '../../packages/core/src/canonical/table-writer';
import { IngestContext } from '../../packages/core/src/ingest/context';
import { readGeneric } from '../../packages/core/src/ingest/generic';
import { readOpenBandit } from '../../packages/core/src/ingest/open-bandit';
import { readRees46 } from '../../packages/core/src/ingest/rees46';
import { Staging } from '../../packages/core/src/ingest/staging';
import { readTaobao } from '../../packages/core/src/ingest/taobao';
import { silentLogger } from '../../packages/core/src/log';
import { fuzzRuns } from './fuzz-settings';

/**
 * Every data line of an adapter's input is accounted for: read into a canonical event or
 * reported as a bad row with its line number and a reason, never silently dropped. The table
 * writer and staging are replaced by recorders (DuckDB per case would make 1,000 cases slow);
 * the adapters' own parsing and checks run unchanged.
 */

/** The canonical rows an adapter produced, recorded in place of DuckDB. */
interface Recorded {
  events: CanonicalEvent[];
  context: IngestContext;
}

function recordingContext(): Recorded {
  const events: CanonicalEvent[] = [];
  const writer = { addEvent: (event: CanonicalEvent) => events.push(event) };
  const staging = {
    itemSource: 'none',
    userSource: 'event-ids',
    itemFile: '',
    userFile: '',
    sightItem: () => undefined,
    stageItem: () => undefined,
    stageUser: () => undefined,
  };
  const context = new IngestContext(
    writer as unknown as CanonicalTableWriter,
    staging as unknown as Staging,
    silentLogger,
    undefined,
    undefined,
  );
  return { events, context };
}

/** An adapter under test: its header, a valid data line's fields and how it is read. */
interface AdapterCase {
  name: string;
  header: string | null;
  validFields: fc.Arbitrary<string[]>;
  /** Writes the data into a fresh folder and returns the input to pass to `read`. */
  layout(folder: string, data: string): string;
  read(input: string, context: IngestContext): Promise<void>;
  /** Data rows an event list stands for (open-bandit adds a click event beside an impression). */
  rowsOf(events: CanonicalEvent[]): number;
}

const epochSeconds = fc.integer({ min: 1_500_000_000, max: 1_800_000_000 });
const id = fc.stringMatching(/^[0-9a-z]{1,8}$/);

const taobao: AdapterCase = {
  name: 'taobao',
  header: null,
  validFields: fc
    .tuple(id, id, id, fc.constantFrom('pv', 'cart', 'fav', 'buy'), epochSeconds)
    .map((fields) => fields.map(String)),
  layout: (folder, data) => writeFile(path.join(folder, 'UserBehavior.csv'), data),
  read: readTaobao,
  rowsOf: (events) => events.length,
};

const rees46: AdapterCase = {
  name: 'rees46',
  header:
    'event_time,event_type,product_id,category_id,category_code,brand,price,user_id,' +
    'user_session',
  validFields: fc
    .tuple(
      epochSeconds.map((seconds) => new Date(seconds * 1000).toISOString().slice(0, 19)),
      fc.constantFrom('view', 'cart', 'purchase'),
      id,
      id,
      fc.constantFrom('', 'electronics.smartphone'),
      fc.constantFrom('', 'acme'),
      fc.double({ min: 0, max: 1000, noNaN: true }).map((price) => price.toFixed(2)),
      id,
      id,
    )
    .map(([time, ...rest]) => [`${time.replace('T', ' ')} UTC`, ...rest]),
  layout: (folder, data) => writeFile(path.join(folder, '2019-Oct.csv'), data),
  read: readRees46,
  rowsOf: (events) => events.length,
};

const generic: AdapterCase = {
  name: 'generic',
  header: 'ts,user_id,item_id,type,position,channel,request_id,propensity',
  validFields: fc
    .tuple(
      epochSeconds.map((seconds) => new Date(seconds * 1000).toISOString()),
      id,
      id,
      fc.constantFrom('impression', 'click', 'cart', 'favorite', 'purchase'),
      fc.constantFrom('', '1', '7'),
      fc.constantFrom('', 'exploit'),
      fc.constantFrom('', 'r1'),
      fc.constantFrom('', '0.5', '1'),
    )
    .map((fields) => [...fields]),
  layout: (folder, data) => writeFile(path.join(folder, 'events.csv'), data),
  read: readGeneric,
  rowsOf: (events) => events.length,
};

const openBandit: AdapterCase = {
  name: 'open-bandit',
  header:
    ',timestamp,item_id,position,click,propensity_score,user_feature_0,user_feature_1,' +
    'user_feature_2,user_feature_3',
  validFields: fc
    .tuple(
      fc.nat(1000).map(String),
      epochSeconds.map((seconds) => new Date(seconds * 1000).toISOString().replace('T', ' ')),
      fc.constantFrom('0', '1', '2'),
      fc.constantFrom('1', '2', '3'),
      fc.constantFrom('0', '1'),
      fc.constantFrom('0.5', '0.01'),
      id,
      id,
      id,
      id,
    )
    .map((fields) => [...fields]),
  layout: (folder, data) => {
    writeFile(
      path.join(folder, 'item_context.csv'),
      ',item_id,item_feature_0,item_feature_1,item_feature_2,item_feature_3\n' +
        '0,0,-0.5,a,b,c\n1,1,0.1,a,b,c\n2,2,0.7,d,e,f\n',
    );
    return writeFile(path.join(folder, 'men.csv'), data);
  },
  read: readOpenBandit,
  rowsOf: (events) => events.filter((event) => event.type === 'impression').length,
};

/** A CSV field as people and broken exports write them: quotes, separators, odd bytes. */
const wildField = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 12 }),
  fc.constantFrom('', '"', '""', '"a,b"', '"open', ' ', '\r', 'NaN', '-1', '1e999', '\u0000'),
);

/** One data line (no line end): valid, a valid one mutated, or arbitrary text. */
function dataLine(adapter: AdapterCase): fc.Arbitrary<string> {
  const mutated = fc
    .tuple(adapter.validFields, fc.nat(), wildField, fc.constantFrom('set', 'drop', 'add'))
    .map(([fields, index, value, how]) => {
      const at = index % fields.length;
      if (how === 'set') fields[at] = value;
      else if (how === 'drop') fields.splice(at, 1);
      else fields.splice(at, 0, value);
      return fields;
    });
  return fc
    .oneof(
      { weight: 3, arbitrary: adapter.validFields },
      { weight: 4, arbitrary: mutated },
      { weight: 2, arbitrary: fc.array(wildField, { maxLength: 12 }) },
    )
    .map((fields) => fields.join(','))
    .filter((line) => !line.includes('\n'));
}

function writeFile(file: string, text: string): string {
  fs.writeFileSync(file, text);
  return file;
}

/** Lines a file of `data` holds: split on line feeds, a final line feed ends the last line. */
function countLines(data: string): number {
  if (data === '') return 0;
  const pieces = data.split('\n');
  return data.endsWith('\n') ? pieces.length - 1 : pieces.length;
}

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'gfr-fuzz-ingest-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe.each([taobao, rees46, generic, openBandit])('the $name adapter', (adapter) => {
  test('reads or reports every line of arbitrary CSV: lines in = rows read + bad rows', async () => {
    const folder = fs.mkdtempSync(path.join(root, `${adapter.name}-`));
    let rowsRead = 0;
    let badRows = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(dataLine(adapter), { minLength: 1, maxLength: 12 }),
        fc.boolean(),
        async (lines, finalLineEnd) => {
          const header = adapter.header === null ? '' : adapter.header + '\n';
          const data = header + lines.join('\n') + (finalLineEnd ? '\n' : '');
          const { events, context } = recordingContext();

          await adapter.read(adapter.layout(folder, data), context);

          const eventsTally = context.files.find((tally) => tally.role === 'events')!;
          const dataLines = countLines(data) - (adapter.header === null ? 0 : 1);
          expect(eventsTally.rowsRead).toBe(dataLines);
          expect(adapter.rowsOf(events) + eventsTally.badRowCount).toBe(dataLines);
          const firstDataLine = adapter.header === null ? 1 : 2;
          for (const bad of context.badRows.filter((row) => row.file === eventsTally.file)) {
            expect(bad.line).toBeGreaterThanOrEqual(firstDataLine);
            expect(bad.line).toBeLessThanOrEqual(firstDataLine + dataLines - 1);
            expect(bad.reason.trim()).not.toBe('');
          }
          rowsRead += adapter.rowsOf(events);
          badRows += eventsTally.badRowCount;
        },
      ),
      { numRuns: fuzzRuns },
    );

    // The cases exercised both outcomes, so the accounting above was tested on each.
    expect(rowsRead).toBeGreaterThan(fuzzRuns);
    expect(badRows).toBeGreaterThan(fuzzRuns);
  });
});
