import { splitCsvLine } from './csv-fields';

test('plain lines split on every comma, keeping empty fields', () => {
  expect(splitCsvLine('a,,c,')).toEqual({ fields: ['a', '', 'c', ''] });
});

test('quoted fields keep their commas and doubled quotes become one quote', () => {
  expect(splitCsvLine('1,"shoes, red","say ""hi""",x')).toEqual({
    fields: ['1', 'shoes, red', 'say "hi"', 'x'],
  });
});

test('an empty quoted field and a quoted last field are read', () => {
  expect(splitCsvLine('"",b,"c,d"')).toEqual({ fields: ['', 'b', 'c,d'] });
});

test('a trailing comma after a quoted field adds an empty field', () => {
  expect(splitCsvLine('"a",')).toEqual({ fields: ['a', ''] });
});

test('a quote inside an unquoted field is an ordinary character', () => {
  expect(splitCsvLine('size 5\'10",b')).toEqual({ fields: ['size 5\'10"', 'b'] });
});

test('an unterminated quoted field is an error naming its column', () => {
  expect(splitCsvLine('a,"never closed')).toEqual({
    error: 'unterminated quoted field starting at column 3',
  });
});

test('text after a closing quote is an error naming the character', () => {
  expect(splitCsvLine('"a"b,c')).toEqual({
    error: "unexpected character 'b' after the closing quote at column 4",
  });
});
