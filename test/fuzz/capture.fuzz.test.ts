import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import {
  CaptureRecordInvalidError,
  CaptureRecordJson,
  parseCaptureRecord,
  readCaptureRecords,
} from '@gfr/inference-image';

import { fuzzRuns } from './fuzz-settings';
import { applyMutation, mutationOf } from './json-mutation';

/**
 * The Data Capture parser reads what a server (or SageMaker) wrote, possibly cut off or
 * damaged: every non-blank line is either a record or counted as malformed with its line number
 * and reason, and no line makes it throw anything but CaptureRecordInvalidError.
 */

const validRecord: CaptureRecordJson = {
  captureData: {
    endpointInput: {
      observedContentType: 'application/json',
      mode: 'INPUT',
      data: '{"schema_version":"1"}',
      encoding: 'JSON',
    },
    endpointOutput: {
      observedContentType: 'application/octet-stream',
      mode: 'OUTPUT',
      data: Buffer.from('{"items":[]}').toString('base64'),
      encoding: 'BASE64',
    },
  },
  eventMetadata: {
    eventId: '6f1c3c52-7a7e-4d55-9c1b-1b8a2b1f0e11',
    inferenceId: 'abc',
    inferenceTime: '2026-12-03T10:00:00Z',
  },
  eventVersion: '0',
};
const validLine = JSON.stringify(validRecord);

/** Parses `line`; any failure must be a CaptureRecordInvalidError with a reason. */
function parsesOrNamesTheProblem(line: string): boolean {
  try {
    parseCaptureRecord(line);
    return true;
  } catch (error) {
    expect(error).toBeInstanceOf(CaptureRecordInvalidError);
    expect((error as CaptureRecordInvalidError).reason.length).toBeGreaterThan(0);
    return false;
  }
}

/** A line as a damaged capture file holds it: whole, cut short, mutated, or any text. */
const captureLine: fc.Arbitrary<string> = fc.oneof(
  fc.constant(validLine),
  fc.nat(validLine.length).map((cut) => validLine.slice(0, cut)),
  mutationOf(validRecord).map((mutation) => JSON.stringify(applyMutation(validRecord, mutation))),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)),
);

test('the record the mutations start from parses', () => {
  expect(parseCaptureRecord(validLine).output?.text).toBe('{"items":[]}');
});

test('one mutation of a record: parsed, or rejected with the reason, never another error', () => {
  let rejected = 0;
  fc.assert(
    fc.property(mutationOf(validRecord), (mutation) => {
      if (!parsesOrNamesTheProblem(JSON.stringify(applyMutation(validRecord, mutation)))) {
        rejected += 1;
      }
    }),
    { numRuns: fuzzRuns },
  );
  expect(rejected).toBeGreaterThan(fuzzRuns / 4);
});

test('arbitrary text and JSON lines: parsed, or rejected with the reason', () => {
  fc.assert(
    fc.property(captureLine, (line) => {
      parsesOrNamesTheProblem(line);
    }),
    { numRuns: fuzzRuns },
  );
});

describe('reading a damaged capture file', () => {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'gfr-fuzz-capture-'));
  afterAll(() => fs.rmSync(folder, { recursive: true, force: true }));

  test('every non-blank line is a record or a malformed line with its number', async () => {
    const file = path.join(folder, 'capture.jsonl');
    let records = 0;
    let malformed = 0;
    await fc.assert(
      fc.asyncProperty(
        // Line ends are what separate lines, so no generated line holds one.
        fc.array(
          captureLine.filter((line) => !/[\r\n]/.test(line)),
          { minLength: 1, maxLength: 10 },
        ),
        fc.boolean(),
        async (lines, finalLineEnd) => {
          fs.writeFileSync(file, lines.join('\n') + (finalLineEnd ? '\n' : ''));

          const result = await readCaptureRecords(file);

          const nonBlank = lines
            .map((text, index) => ({ text, line: index + 1 }))
            .filter(({ text }) => text.trim() !== '');
          expect(result.records.length + result.malformedLines).toBe(nonBlank.length);
          const recordLines = new Set(result.records.map((record) => record.line));
          for (const bad of result.malformed) {
            expect(recordLines.has(bad.line)).toBe(false);
            expect(nonBlank.map(({ line }) => line)).toContain(bad.line);
            expect(bad.reason.length).toBeGreaterThan(0);
          }
          records += result.records.length;
          malformed += result.malformedLines;
        },
      ),
      { numRuns: fuzzRuns },
    );
    expect(records).toBeGreaterThan(fuzzRuns / 2);
    expect(malformed).toBeGreaterThan(fuzzRuns / 2);
  });
});
