import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { TextLine, readLines } from './line-reader';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gfr-lines-'));

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function linesOf(content: string | Buffer): Promise<TextLine[]> {
  const file = path.join(dir, `f-${Math.random().toString(36).slice(2)}.txt`);
  fs.writeFileSync(file, content);
  const lines: TextLine[] = [];
  await readLines(file, (line) => {
    lines.push(line);
  });
  return lines;
}

test('CRLF and LF line ends are both removed and lines are numbered from 1', async () => {
  const lines = await linesOf('a,b\r\nc,d\ne,f\r\n');

  expect(lines).toEqual([
    { text: 'a,b', lineNumber: 1, terminated: true },
    { text: 'c,d', lineNumber: 2, terminated: true },
    { text: 'e,f', lineNumber: 3, terminated: true },
  ]);
});

test('a last line without a line end is delivered and marked as unterminated', async () => {
  const lines = await linesOf('1,2,3\n4,5');

  expect(lines.map((line) => [line.text, line.terminated])).toEqual([
    ['1,2,3', true],
    ['4,5', false],
  ]);
});

test('empty lines are delivered, so callers can report them', async () => {
  const lines = await linesOf('a\n\nb\n');

  expect(lines.map((line) => line.text)).toEqual(['a', '', 'b']);
});

test('a UTF-8 byte order mark is removed from the first line only', async () => {
  const lines = await linesOf('\ufeffts,user_id\n\ufeffx\n');

  expect(lines.map((line) => line.text)).toEqual(['ts,user_id', '\ufeffx']);
});

test('lines and multi-byte characters that straddle 1 MiB chunk boundaries arrive whole', async () => {
  // 3-byte characters make some chunk boundary fall inside a character.
  const row = 'Straße-€-日本,' + 'x'.repeat(50);
  const count = 40_000;
  const lines = await linesOf(Array.from({ length: count }, (_, i) => `${i},${row}`).join('\r\n'));

  expect(lines).toHaveLength(count);
  expect(lines.every((line, i) => line.text === `${i},${row}`)).toBe(true);
  expect(lines[count - 1].terminated).toBe(false);
});

test('returning false from the handler stops the reading', async () => {
  const file = path.join(dir, 'stop.txt');
  fs.writeFileSync(file, 'a\nb\nc\nd\n');
  const seen: string[] = [];

  const summary = await readLines(file, (line) => {
    seen.push(line.text);
    return seen.length < 2;
  });

  expect(seen).toEqual(['a', 'b']);
  expect(summary.stoppedEarly).toBe(true);
});
