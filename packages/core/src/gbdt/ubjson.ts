/**
 * A decoder of Universal Binary JSON (draft 12) as XGBoost writes it (`save_model("*.ubj")`,
 * and `xgboost-model` from XGBoost 2.1 on): big-endian numbers, object keys as a length and
 * bytes, and numeric arrays in the optimized form `[$<type>#<count>` that decodes here to typed
 * arrays, so that a model's float32 thresholds and leaves arrive as a `Float32Array`, exactly.
 *
 * Written here rather than taken from npm: the maintained packages either refuse int64 (which
 * XGBoost uses for every length) or return `bigint` for it, and the format is small.
 */
import { ModelFormatError } from './errors';

/** Containers nested deeper than this are refused (a model needs about 6 levels). */
export const MAX_UBJSON_DEPTH = 64;

/** Decodes one UBJSON value filling all of `bytes`; numeric optimized arrays become typed arrays. */
export function decodeUbjson(bytes: Uint8Array): unknown {
  const reader = new UbjsonReader(bytes);
  const value = reader.value(reader.marker(), 0);
  reader.skipNoOps();
  if (!reader.atEnd()) {
    reader.fail(`${bytes.length - reader.offset} bytes after the end of the document`);
  }
  return value;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Byte size of each fixed-size numeric type, by marker. */
const NUMBER_SIZES: Record<string, number> = { i: 1, U: 1, I: 2, l: 4, L: 8, d: 4, D: 8 };

class UbjsonReader {
  offset = 0;
  private readonly view: DataView;

  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  atEnd(): boolean {
    return this.offset >= this.bytes.length;
  }

  fail(message: string): never {
    throw new ModelFormatError('$', `invalid UBJSON at byte ${this.offset}: ${message}`);
  }

  /** The next type marker, skipping no-op markers (`N`). */
  marker(): string {
    this.skipNoOps();
    if (this.atEnd()) this.fail('unexpected end of data');
    return String.fromCharCode(this.bytes[this.offset++]);
  }

  skipNoOps(): void {
    while (!this.atEnd() && this.bytes[this.offset] === 0x4e) this.offset++;
  }

  value(marker: string, depth: number): unknown {
    switch (marker) {
      case 'Z':
        return null;
      case 'T':
        return true;
      case 'F':
        return false;
      case 'C':
        return String.fromCharCode(this.number('U'));
      case 'S':
        return this.string();
      case 'H':
        return this.highPrecision();
      case '[':
        return this.array(depth + 1);
      case '{':
        return this.object(depth + 1);
      default:
        if (marker in NUMBER_SIZES) return this.number(marker);
        this.offset--;
        return this.fail(`unknown type marker '${printable(marker)}'`);
    }
  }

  /** A fixed-size number; int64 must fit a double exactly. */
  number(marker: string): number {
    const size = NUMBER_SIZES[marker];
    this.need(size);
    const at = this.offset;
    this.offset += size;
    switch (marker) {
      case 'i':
        return this.view.getInt8(at);
      case 'U':
        return this.view.getUint8(at);
      case 'I':
        return this.view.getInt16(at);
      case 'l':
        return this.view.getInt32(at);
      case 'd':
        return this.view.getFloat32(at);
      case 'D':
        return this.view.getFloat64(at);
      default: {
        const big = this.view.getBigInt64(at);
        if (big > BigInt(Number.MAX_SAFE_INTEGER) || big < BigInt(Number.MIN_SAFE_INTEGER)) {
          this.offset = at;
          this.fail(`int64 ${big} does not fit a double exactly`);
        }
        return Number(big);
      }
    }
  }

  /** A length or count: an integer of any size, not negative. */
  length(): number {
    const marker = this.marker();
    if (!'iUIlL'.includes(marker)) this.fail(`expected an integer length, got '${marker}'`);
    const length = this.number(marker);
    if (length < 0) this.fail(`negative length ${length}`);
    return length;
  }

  string(): string {
    const length = this.length();
    this.need(length);
    const start = this.offset;
    this.offset += length;
    try {
      return utf8.decode(this.bytes.subarray(start, start + length));
    } catch {
      this.offset = start;
      return this.fail('string is not valid UTF-8');
    }
  }

  highPrecision(): number {
    const text = this.string();
    const value = Number(text);
    if (text.trim() === '' || Number.isNaN(value)) this.fail(`'${text}' is not a number`);
    return value;
  }

  array(depth: number): unknown {
    this.checkDepth(depth);
    const { type, count } = this.containerHeader();
    if (type !== undefined && count !== undefined) {
      const typed = this.typedArray(type, count);
      if (typed) return typed;
    }
    const items: unknown[] = [];
    if (count !== undefined) {
      // Every element takes at least one byte unless its type is given once for all (Z, T, F).
      if (type === undefined || !'ZTF'.includes(type)) this.need(count);
      for (let i = 0; i < count; i++) items.push(this.value(type ?? this.marker(), depth));
      return items;
    }
    for (;;) {
      const marker = this.marker();
      if (marker === ']') return items;
      items.push(this.value(marker, depth));
    }
  }

  object(depth: number): Record<string, unknown> {
    this.checkDepth(depth);
    const { type, count } = this.containerHeader();
    // A null prototype: keys such as `__proto__` from a file stay plain data.
    const object = Object.create(null) as Record<string, unknown>;
    if (count !== undefined) {
      this.need(count);
      for (let i = 0; i < count; i++)
        object[this.string()] = this.value(type ?? this.marker(), depth);
      return object;
    }
    for (;;) {
      this.skipNoOps();
      if (this.bytes[this.offset] === 0x7d) {
        this.offset++;
        return object;
      }
      const key = this.string();
      object[key] = this.value(this.marker(), depth);
    }
  }

  /** The optional `$<type>` and `#<count>` after `[` or `{`. */
  private containerHeader(): { type?: string; count?: number } {
    let type: string | undefined;
    if (this.bytes[this.offset] === 0x24) {
      this.offset++;
      this.need(1);
      type = String.fromCharCode(this.bytes[this.offset++]);
      if (this.bytes[this.offset] !== 0x23) this.fail('a typed container needs a count (#)');
    }
    if (this.bytes[this.offset] === 0x23) {
      this.offset++;
      return { type, count: this.length() };
    }
    return { type };
  }

  /** Numeric elements read straight into a typed array (big-endian to the host's order). */
  private typedArray(type: string, count: number): ArrayLike<number> | null {
    const size = NUMBER_SIZES[type];
    if (size === undefined) return null;
    this.need(count * size);
    const at = this.offset;
    this.offset += count * size;
    const view = this.view;
    switch (type) {
      case 'U':
        return this.bytes.slice(at, at + count);
      case 'i':
        return Int8Array.from({ length: count }, (_, i) => view.getInt8(at + i));
      case 'I':
        return Int16Array.from({ length: count }, (_, i) => view.getInt16(at + 2 * i));
      case 'l':
        return Int32Array.from({ length: count }, (_, i) => view.getInt32(at + 4 * i));
      case 'd':
        return Float32Array.from({ length: count }, (_, i) => view.getFloat32(at + 4 * i));
      case 'D':
        return Float64Array.from({ length: count }, (_, i) => view.getFloat64(at + 8 * i));
      default: {
        const values = new Float64Array(count);
        this.offset = at;
        for (let i = 0; i < count; i++) values[i] = this.number('L');
        return values;
      }
    }
  }

  private need(bytes: number): void {
    if (this.offset + bytes > this.bytes.length) {
      this.fail(`needs ${bytes} more bytes, ${this.bytes.length - this.offset} left`);
    }
  }

  private checkDepth(depth: number): void {
    if (depth > MAX_UBJSON_DEPTH) this.fail(`containers nested deeper than ${MAX_UBJSON_DEPTH}`);
  }
}

function printable(marker: string): string {
  const code = marker.charCodeAt(0);
  return code >= 0x20 && code < 0x7f ? marker : `0x${code.toString(16).padStart(2, '0')}`;
}
