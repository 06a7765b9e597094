import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { InputNotFoundError } from '@gfr/core';

import {
  CapturedExchange,
  DataCaptureWriter,
  parseCaptureRecord,
  readCaptureRecords,
} from './capture';
import { ServeConfigurationError } from './errors';

const temporaryDirectory = () => fs.mkdtempSync(path.join(os.tmpdir(), 'gfr-capture-'));

const exchange = (overrides: Partial<CapturedExchange> = {}): CapturedExchange => ({
  input: { contentType: 'application/json', body: '{"schema_version":"1"}' },
  output: { contentType: 'application/json', body: '{"items":[]}' },
  time: new Date('2026-12-03T17:25:49.123Z'),
  ...overrides,
});

/** Every file under `directory`, relative to it. */
function listFiles(directory: string): string[] {
  return (fs.readdirSync(directory, { recursive: true }) as string[])
    .filter((name) => fs.statSync(path.join(directory, name)).isFile())
    .sort();
}

describe('DataCaptureWriter', () => {
  test("writes SageMaker's record format under endpoint/variant/yyyy/mm/dd/hh (UTC)", async () => {
    const directory = temporaryDirectory();
    const writer = new DataCaptureWriter({ directory, endpointName: 'ranker-prod' });

    writer.capture(exchange({ inferenceId: 'request-1' }));
    await writer.flush();

    const [file] = listFiles(directory);
    expect(file).toMatch(
      /^ranker-prod\/AllTraffic\/2026\/12\/03\/17\/25-49-123-[0-9a-f-]{36}\.jsonl$/,
    );
    const lines = fs.readFileSync(path.join(directory, file), 'utf8').split('\n');
    expect(lines[1]).toBe('');
    const record = JSON.parse(lines[0]);
    expect(record).toEqual({
      captureData: {
        endpointInput: {
          observedContentType: 'application/json',
          mode: 'INPUT',
          data: '{"schema_version":"1"}',
          encoding: 'JSON',
        },
        endpointOutput: {
          observedContentType: 'application/json',
          mode: 'OUTPUT',
          data: '{"items":[]}',
          encoding: 'JSON',
        },
      },
      eventMetadata: {
        eventId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        inferenceId: 'request-1',
        inferenceTime: '2026-12-03T17:25:49Z',
      },
      eventVersion: '0',
    });
  });

  test('leaves inferenceId out when the caller set none', async () => {
    const directory = temporaryDirectory();
    const writer = new DataCaptureWriter({ directory });
    writer.capture(exchange());
    await writer.flush();
    const [file] = listFiles(directory);
    const record = JSON.parse(fs.readFileSync(path.join(directory, file), 'utf8'));
    expect(Object.keys(record.eventMetadata)).toEqual(['eventId', 'inferenceTime']);
  });

  test('queues without touching the disk and appends in the background', async () => {
    const directory = temporaryDirectory();
    const writer = new DataCaptureWriter({ directory });

    for (let i = 0; i < 50; i += 1) writer.capture(exchange());
    const filesBeforeFlush = listFiles(directory);
    await writer.flush();

    expect(filesBeforeFlush).toEqual([]);
    const [file] = listFiles(directory);
    expect(fs.readFileSync(path.join(directory, file), 'utf8').split('\n')).toHaveLength(51);
    expect(writer.stats).toEqual({ sampled: 50, skipped: 0, written: 50, dropped: 0 });
  });

  test('starts a new file with each hour', async () => {
    const directory = temporaryDirectory();
    const writer = new DataCaptureWriter({ directory });

    writer.capture(exchange({ time: new Date('2026-12-03T17:59:59.000Z') }));
    writer.capture(exchange({ time: new Date('2026-12-03T17:59:59.500Z') }));
    writer.capture(exchange({ time: new Date('2026-12-03T18:00:00.250Z') }));
    await writer.flush();
    writer.capture(exchange({ time: new Date('2026-12-03T18:10:00.000Z') }));
    await writer.flush();

    const files = listFiles(directory);
    expect(files.map((file) => path.dirname(file))).toEqual([
      'local-endpoint/AllTraffic/2026/12/03/17',
      'local-endpoint/AllTraffic/2026/12/03/18',
    ]);
    expect(path.basename(files[1])).toMatch(/^00-00-250-/);
    const lineCount = (file: string) =>
      fs.readFileSync(path.join(directory, file), 'utf8').trim().split('\n').length;
    expect(files.map(lineCount)).toEqual([2, 2]);
  });

  test('captures exactly the invocations whose draw falls under the percentage', async () => {
    const directory = temporaryDirectory();
    const draws = Array.from({ length: 100 }, (_, index) => index / 100);
    let next = 0;
    const writer = new DataCaptureWriter({
      directory,
      samplePercent: 30,
      random: () => draws[next++],
    });

    const chosen = draws.map(() => writer.capture(exchange()));
    await writer.flush();

    expect(chosen.filter(Boolean)).toHaveLength(30);
    expect(chosen.slice(0, 30).every(Boolean)).toBe(true);
    expect(writer.stats).toEqual({ sampled: 30, skipped: 70, written: 30, dropped: 0 });
  });

  test('drops and counts records beyond the queue limit instead of growing', async () => {
    const directory = temporaryDirectory();
    const writer = new DataCaptureWriter({ directory, maxQueuedBytes: 1000 });
    for (let i = 0; i < 10; i += 1) writer.capture(exchange());
    await writer.flush();
    const stats = writer.stats;
    expect(stats.written).toBeGreaterThan(0);
    expect(stats.dropped).toBeGreaterThan(0);
    expect(stats.written + stats.dropped).toBe(10);
  });

  test('counts a failed write as dropped and never throws', async () => {
    const directory = temporaryDirectory();
    fs.writeFileSync(path.join(directory, 'local-endpoint'), 'a file where a folder must go');
    const writer = new DataCaptureWriter({ directory });

    expect(writer.capture(exchange())).toBe(true);
    await writer.flush();

    expect(writer.stats).toEqual({ sampled: 1, skipped: 0, written: 0, dropped: 1 });
  });

  test('rejects a percentage outside 0–100 and names that are not SageMaker names', () => {
    const directory = temporaryDirectory();
    expect(() => new DataCaptureWriter({ directory, samplePercent: 120 })).toThrow(
      new ServeConfigurationError('capture sample percentage must be within 0–100, got 120'),
    );
    expect(() => new DataCaptureWriter({ directory, endpointName: '../x' })).toThrow(
      /endpoint name "..\/x" is not a SageMaker name/,
    );
  });
});

describe('readCaptureRecords', () => {
  test('round trip: JSON, CSV and BASE64 payloads decode to what was sent', async () => {
    const directory = temporaryDirectory();
    const writer = new DataCaptureWriter({ directory });
    const protobuf = Buffer.from([0x0a, 0x03, 0x61, 0x62, 0x63]);
    writer.capture(exchange({ inferenceId: 'json' }));
    writer.capture(
      exchange({
        input: { contentType: 'text/csv; charset=utf-8', body: '1,2,,4\n5,6,7,8' },
        output: { contentType: 'text/csv', body: '0.25\n0.5' },
      }),
    );
    writer.capture(
      exchange({
        input: { contentType: 'application/x-protobuf', body: protobuf },
        output: { contentType: 'application/json', body: '{"ok":true}' },
      }),
    );
    await writer.flush();

    const read = await readCaptureRecords(directory);

    expect(read.malformedLines).toBe(0);
    expect(read.files).toHaveLength(1);
    expect(read.records.map((record) => record.line)).toEqual([1, 2, 3]);
    const [json, csv, base64] = read.records;
    expect(json.inferenceId).toBe('json');
    expect(json.input!.text).toBe('{"schema_version":"1"}');
    expect(csv.input).toEqual({
      observedContentType: 'text/csv; charset=utf-8',
      mode: 'INPUT',
      encoding: 'CSV',
      text: '1,2,,4\n5,6,7,8',
    });
    expect(csv.output!.encoding).toBe('CSV');
    expect(base64.input!.encoding).toBe('BASE64');
    expect(Buffer.from(base64.input!.text, 'utf8')).toEqual(protobuf);
    expect(base64.inferenceId).toBeNull();
  });

  test('counts malformed lines with line numbers and reasons, skips blank ones', async () => {
    const directory = temporaryDirectory();
    const good = (data: string, encoding: string) =>
      JSON.stringify({
        captureData: {
          endpointInput: { observedContentType: 'x', mode: 'INPUT', data, encoding },
        },
        eventMetadata: { eventId: 'e', inferenceTime: '2022-02-14T17:25:49Z' },
        eventVersion: '0',
      });
    const file = path.join(directory, 'capture.jsonl');
    fs.writeFileSync(
      file,
      [
        good(Buffer.from('{"a":1}').toString('base64'), 'BASE64'),
        '{"captureData": {',
        '',
        good('abc', 'XML'),
        good('not base64!', 'BASE64'),
        JSON.stringify({ captureData: {}, eventMetadata: {}, eventVersion: '0' }),
        good('1,2', 'CSV'),
        '',
      ].join('\n'),
    );

    const read = await readCaptureRecords(file);

    expect(read.records.map((record) => [record.line, record.input!.text])).toEqual([
      [1, '{"a":1}'],
      [7, '1,2'],
    ]);
    expect(read.malformedLines).toBe(4);
    expect(read.malformed.map(({ line, reason }) => [line, reason])).toEqual([
      [2, expect.stringMatching(/^line is not JSON/)],
      [4, 'captureData.endpointInput.encoding "XML" is not one of JSON, CSV, BASE64'],
      [5, 'captureData.endpointInput.data is not valid base64'],
      [6, 'captureData has neither endpointInput nor endpointOutput'],
    ]);
  });

  test('reads every .jsonl file under a folder in key order', async () => {
    const directory = temporaryDirectory();
    const writer = new DataCaptureWriter({ directory });
    writer.capture(exchange({ time: new Date('2026-12-03T18:00:00Z'), inferenceId: 'later' }));
    writer.capture(exchange({ time: new Date('2026-12-03T09:00:00Z'), inferenceId: 'earlier' }));
    await writer.flush();
    fs.writeFileSync(path.join(directory, 'notes.txt'), 'not a capture file');

    const read = await readCaptureRecords(directory);

    expect(read.files).toHaveLength(2);
    expect(read.records.map((record) => record.inferenceId)).toEqual(['earlier', 'later']);
  });

  test('a missing location is an input-not-found error', async () => {
    await expect(readCaptureRecords('/nonexistent/capture')).rejects.toThrow(InputNotFoundError);
  });

  test('parseCaptureRecord names a wrong mode', () => {
    const line = JSON.stringify({
      captureData: {
        endpointOutput: { observedContentType: 'a', mode: 'INPUT', data: '', encoding: 'JSON' },
      },
      eventMetadata: { eventId: 'e', inferenceTime: '2022-02-14T17:25:49Z' },
      eventVersion: '0',
    });
    expect(() => parseCaptureRecord(line)).toThrow(
      'captureData.endpointOutput.mode is "INPUT", expected "OUTPUT"',
    );
  });
});
