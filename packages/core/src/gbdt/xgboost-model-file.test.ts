import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tar from 'tar';

import {
  CategoricalSplitsNotSupportedError,
  LegacyBinaryModelError,
  ModelFileError,
  ModelFormatError,
  MultiOutputNotSupportedError,
  ObjectiveNotSupportedError,
} from './errors';
import { decodeUbjson } from './ubjson';
import { detectXGBoostModelForm, readXGBoostModelFile } from './xgboost-model-file';

const FIXTURES = path.join(__dirname, 'testdata', 'xgboost');
const fixture = (name: string) => path.join(FIXTURES, name);

describe('detectXGBoostModelForm', () => {
  it.each([
    ['depth8-trees10.json-model', 'json'],
    ['depth8-trees10.ubj', 'ubjson'],
    ['refused-legacy.bin', 'legacy-binary'],
  ])('tells %s is %s by its content', (name, form) => {
    expect(detectXGBoostModelForm(fs.readFileSync(fixture(name)))).toBe(form);
  });

  it('recognizes JSON after a byte-order mark and whitespace, and gzip by its magic', () => {
    expect(detectXGBoostModelForm(Buffer.from('\uFEFF \n {"learner":{}}'))).toBe('json');
    expect(detectXGBoostModelForm(Uint8Array.from([0x1f, 0x8b, 8, 0]))).toBe('gzip');
    expect(detectXGBoostModelForm(Buffer.from('learner'))).toBe('unknown');
  });
});

describe('readXGBoostModelFile refuses', () => {
  let directory: string;
  beforeAll(() => {
    directory = fs.mkdtempSync(path.join(os.tmpdir(), 'gfr-model-file-'));
  });
  afterAll(() => fs.rmSync(directory, { recursive: true, force: true }));

  const tarball = (name: string, entries: Record<string, string>) => {
    const folder = fs.mkdtempSync(path.join(directory, 'entries-'));
    for (const [entry, source] of Object.entries(entries)) {
      fs.copyFileSync(source, path.join(folder, entry));
    }
    const file = path.join(directory, name);
    tar.create({ gzip: true, file, cwd: folder, sync: true }, Object.keys(entries));
    return file;
  };

  it('the legacy binary format, saying how to convert it', () => {
    const file = fixture('refused-legacy.bin');
    expect(() => readXGBoostModelFile(file)).toThrow(LegacyBinaryModelError);
    expect(() => readXGBoostModelFile(file)).toThrow(
      /legacy binary model.*bst\.load_model\('.*refused-legacy\.bin'\); bst\.save_model\('model\.json'\)/,
    );
  });

  it('a SageMaker 1.7-1 model.tar.gz whose xgboost-model is legacy binary', () => {
    const file = tarball('legacy.tar.gz', { 'xgboost-model': fixture('refused-legacy.bin') });
    expect(() => readXGBoostModelFile(file)).toThrow(LegacyBinaryModelError);
    expect(() => readXGBoostModelFile(file)).toThrow(/legacy\.tar\.gz:xgboost-model is an XGBoost/);
  });

  it('a tar.gz without xgboost-model, naming k-fold entries', () => {
    const folds = tarball('folds.tar.gz', {
      'xgboost-model-0': fixture('depth8-trees10.ubj'),
      'xgboost-model-1': fixture('depth8-trees10.ubj'),
    });
    expect(() => readXGBoostModelFile(folds)).toThrow(ModelFileError);
    expect(() => readXGBoostModelFile(folds)).toThrow(
      /k-fold models \(xgboost-model-0, xgboost-model-1\) but no 'xgboost-model'/,
    );
  });

  it('categorical splits, from JSON (bare NaN thresholds) and UBJSON alike', () => {
    for (const name of ['refused-categorical.json-model', 'refused-categorical.ubj']) {
      expect(() => readXGBoostModelFile(fixture(name))).toThrow(CategoricalSplitsNotSupportedError);
      expect(() => readXGBoostModelFile(fixture(name))).toThrow(
        new RegExp(`${name}: .*feature_types\\[0\\].*categorical splits are not supported`),
      );
    }
  });

  it('multi-class models', () => {
    expect(() => readXGBoostModelFile(fixture('refused-multiclass.json-model'))).toThrow(
      MultiOutputNotSupportedError,
    );
    expect(() => readXGBoostModelFile(fixture('refused-multiclass.json-model'))).toThrow(
      /num_class is 3/,
    );
  });

  it('objectives other than the logistic ones, saying why', () => {
    const file = fixture('refused-squarederror.ubj');
    expect(() => readXGBoostModelFile(file)).toThrow(ObjectiveNotSupportedError);
    expect(() => readXGBoostModelFile(file)).toThrow(
      /objective 'reg:squarederror' is not supported: gfr serves click and conversion probabilities/,
    );
  });

  it('vector leaves', () => {
    const text = fs
      .readFileSync(fixture('depth8-trees10.json-model'), 'utf8')
      .replaceAll('"size_leaf_vector":"0"}', '"size_leaf_vector":"2"}');
    const file = path.join(directory, 'vector-leaves.json');
    fs.writeFileSync(file, text);
    expect(() => readXGBoostModelFile(file)).toThrow(MultiOutputNotSupportedError);
    expect(() => readXGBoostModelFile(file)).toThrow(/vector leaves of size 2/);
  });

  it('files that are no model, naming the file and its first bytes', () => {
    const file = path.join(directory, 'notes.txt');
    fs.writeFileSync(file, 'not a model');
    expect(() => readXGBoostModelFile(file)).toThrow(/notes\.txt: is not an XGBoost model.*6e 6f/);
    expect(() => readXGBoostModelFile(path.join(directory, 'absent.json'))).toThrow(
      /absent\.json: cannot be read/,
    );
  });

  it('truncated UBJSON, naming the byte', () => {
    const bytes = fs.readFileSync(fixture('depth8-trees10.ubj'));
    const file = path.join(directory, 'truncated.ubj');
    fs.writeFileSync(file, bytes.subarray(0, 5_000));
    expect(() => readXGBoostModelFile(file)).toThrow(ModelFormatError);
    expect(() => readXGBoostModelFile(file)).toThrow(/truncated\.ubj: .*invalid UBJSON at byte/);
  });
});

describe('decodeUbjson', () => {
  const bytes = (...parts: (string | number[])[]) =>
    Uint8Array.from(
      parts.flatMap((part) => (typeof part === 'string' ? Array.from(Buffer.from(part)) : part)),
    );

  it('decodes scalars, strings and nested containers with and without counts', () => {
    const document = bytes(
      '{',
      'i',
      [1],
      'a',
      'S',
      'i',
      [2],
      'hi',
      'U',
      [1],
      'b',
      '[',
      'T',
      'F',
      'Z',
      'I',
      [0xff, 0xfe],
      ']',
      'L',
      [0, 0, 0, 0, 0, 0, 0, 1],
      'c',
      '[',
      '#',
      'i',
      [2],
      'D',
      [0x3f, 0xf8, 0, 0, 0, 0, 0, 0],
      'C',
      'x',
      '}',
    );
    expect(decodeUbjson(document)).toEqual({ a: 'hi', b: [true, false, null, -2], c: [1.5, 'x'] });
  });

  it('decodes optimized numeric arrays to typed arrays, big-endian', () => {
    const decoded = decodeUbjson(
      bytes('[', '$', 'd', '#', 'i', [2], [0x3e, 0x80, 0, 0], [0xbf, 0x80, 0, 0]),
    );
    expect(decoded).toBeInstanceOf(Float32Array);
    expect(Array.from(decoded as Float32Array)).toEqual([0.25, -1]);
    const integers = decodeUbjson(
      bytes('[', '$', 'l', '#', 'U', [2], [0xff, 0xff, 0xff, 0xff], [0, 0, 1, 0]),
    );
    expect(Array.from(integers as Int32Array)).toEqual([-1, 256]);
  });

  it('refuses counts beyond the data, unknown markers and trailing bytes', () => {
    expect(() => decodeUbjson(bytes('[', '$', 'd', '#', 'l', [0x7f, 0, 0, 0]))).toThrow(
      /byte 9: needs 8522825728 more bytes/,
    );
    expect(() => decodeUbjson(bytes('[', 'Q', ']'))).toThrow(/byte 1: unknown type marker 'Q'/);
    expect(() => decodeUbjson(bytes('T', 'T'))).toThrow(/1 bytes after the end/);
  });
});
