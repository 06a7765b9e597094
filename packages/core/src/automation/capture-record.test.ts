import { addCaptureFile, emptyCaptureReadResult } from './capture-record';

const record = (input: { data: string; encoding: string; type: string }) =>
  JSON.stringify({
    captureData: {
      endpointInput: {
        observedContentType: input.type,
        mode: 'INPUT',
        data: input.data,
        encoding: input.encoding,
      },
    },
    eventMetadata: { eventId: 'e1', inferenceTime: '2026-12-01T10:00:00Z' },
    eventVersion: '0',
  });

test('JSON, CSV and BASE64 payloads decode to text; malformed lines are counted, blanks not', () => {
  const result = emptyCaptureReadResult();
  const text = [
    record({ data: '{"a":1}', encoding: 'JSON', type: 'application/json' }),
    record({ data: '1,2,,4', encoding: 'CSV', type: 'text/csv' }),
    record({
      data: Buffer.from('{"b":2}').toString('base64'),
      encoding: 'BASE64',
      type: 'application/octet-stream',
    }),
    '{"captureData": ',
    record({ data: '@@not base64@@', encoding: 'BASE64', type: 'application/x' }),
    '',
  ].join('\n');

  addCaptureFile(result, text + '\n', 's3://bucket/captures/e/v/2026/12/01/10/a.jsonl');

  expect(result.records.map((entry) => entry.input?.text)).toEqual([
    '{"a":1}',
    '1,2,,4',
    '{"b":2}',
  ]);
  expect(result.malformedLines).toBe(2);
  expect(result.malformed.map((line) => [line.line, line.reason])).toEqual([
    [4, expect.stringMatching(/^line is not JSON/)],
    [5, 'captureData.endpointInput.data is not valid base64'],
  ]);
  expect(result.files).toEqual(['s3://bucket/captures/e/v/2026/12/01/10/a.jsonl']);
});
