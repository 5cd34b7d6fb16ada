import { deserialize, serialize } from 'node:v8';

/**
 * The byte format of a task slot. Most tiny tasks carry a module URL, an export name and a
 * few numbers or strings, and return one: for those `v8.serialize` costs more than the task
 * (a serializer object and a fresh Buffer per call, and the garbage of both). Primitives are
 * written here by hand; any other value is one `v8.serialize` blob inside the same slot, so
 * what arrives is what structured clone would deliver either way.
 */
const Tag = {
  Undefined: 0,
  Null: 1,
  True: 2,
  False: 3,
  Int32: 4,
  Float64: 5,
  String: 6,
  /** Anything else: u32 length, then `v8.serialize` bytes. */
  Serialized: 7,
} as const;

/** Typed views over one pool's slot bytes, made once per thread. */
export interface SlotBytes {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  readonly chars: Uint16Array;
}

export function slotBytes(buffer: SharedArrayBuffer): SlotBytes {
  return { bytes: new Uint8Array(buffer), view: new DataView(buffer), chars: new Uint16Array(buffer, 0, buffer.byteLength >> 1) };
}

/**
 * Writes values one after another from `start`; every write returns false once the next
 * value would pass `end` (the caller then sends the task another way). One per thread,
 * reused: the hot path allocates nothing for primitives.
 */
export class SlotWriter {
  private target: SlotBytes | undefined = undefined;
  private at = 0;
  private end = 0;

  begin(target: SlotBytes, start: number, end: number): void {
    this.target = target;
    this.at = start;
    this.end = end;
  }

  value(value: unknown): boolean {
    switch (typeof value) {
      case 'undefined':
        return this.tag(Tag.Undefined);
      case 'boolean':
        return this.tag(value ? Tag.True : Tag.False);
      case 'number':
        return this.number(value);
      case 'string':
        return this.string(value);
      default:
        return value === null ? this.tag(Tag.Null) : this.serialized(value);
    }
  }

  string(value: string): boolean {
    // Characters go in as UTF-16 code units, 2-byte aligned, so that lone surrogates survive.
    const n = value.length;
    const first = (this.at + 5 + 1) & ~1;
    if (first + n * 2 > this.end) return false;
    const target = this.target;
    if (target === undefined) return false;
    target.bytes[this.at] = Tag.String;
    target.view.setUint32(this.at + 1, n, true);
    const chars = target.chars;
    const base = first >> 1;
    for (let i = 0; i < n; i++) chars[base + i] = value.charCodeAt(i);
    this.at = first + n * 2;
    return true;
  }

  u32(value: number): boolean {
    if (this.at + 4 > this.end || this.target === undefined) return false;
    this.target.view.setUint32(this.at, value, true);
    this.at += 4;
    return true;
  }

  private tag(tag: number): boolean {
    if (this.at + 1 > this.end || this.target === undefined) return false;
    this.target.bytes[this.at++] = tag;
    return true;
  }

  private number(value: number): boolean {
    const target = this.target;
    if (target === undefined) return false;
    if ((value | 0) === value && !Object.is(value, -0)) {
      if (this.at + 5 > this.end) return false;
      target.bytes[this.at] = Tag.Int32;
      target.view.setInt32(this.at + 1, value, true);
      this.at += 5;
      return true;
    }
    if (this.at + 9 > this.end) return false;
    target.bytes[this.at] = Tag.Float64;
    target.view.setFloat64(this.at + 1, value, true);
    this.at += 9;
    return true;
  }

  private serialized(value: unknown): boolean {
    const data = serialize(value);
    if (this.at + 5 + data.length > this.end || this.target === undefined) return false;
    this.target.bytes[this.at] = Tag.Serialized;
    this.target.view.setUint32(this.at + 1, data.length, true);
    this.target.bytes.set(data, this.at + 5);
    this.at += 5 + data.length;
    return true;
  }
}

/** Reads back what a {@link SlotWriter} wrote, in the same order. One per thread, reused. */
export class SlotReader {
  private source: SlotBytes | undefined = undefined;
  private at = 0;
  /** Last strings read, by the call site's cache index: a repeated module URL is not rebuilt. */
  private readonly recent: string[] = [];

  begin(source: SlotBytes, start: number): void {
    this.source = source;
    this.at = start;
  }

  value(): unknown {
    const source = this.source;
    if (source === undefined) throw new Error('SlotReader.begin() was not called');
    const tag = source.bytes[this.at];
    switch (tag) {
      case Tag.Undefined:
        this.at++;
        return undefined;
      case Tag.Null:
        this.at++;
        return null;
      case Tag.True:
        this.at++;
        return true;
      case Tag.False:
        this.at++;
        return false;
      case Tag.Int32:
        this.at += 5;
        return source.view.getInt32(this.at - 4, true);
      case Tag.Float64:
        this.at += 9;
        return source.view.getFloat64(this.at - 8, true);
      case Tag.String:
        return this.string(-1);
      case Tag.Serialized: {
        const n = source.view.getUint32(this.at + 1, true);
        const from = this.at + 5;
        this.at = from + n;
        return deserialize(source.bytes.subarray(from, from + n));
      }
      default:
        throw new Error(`corrupt task slot: tag ${String(tag)} at byte ${this.at}`);
    }
  }

  /**
   * A string; with `cache >= 0`, the string last read under that index is returned again
   * when the characters match, so that a module URL read per task is neither allocated nor
   * hashed anew by the module cache's lookup.
   */
  string(cache: number): string {
    const source = this.source;
    if (source?.bytes[this.at] !== Tag.String) throw new Error(`corrupt task slot: no string at byte ${this.at}`);
    const n = source.view.getUint32(this.at + 1, true);
    const first = (this.at + 5 + 1) & ~1;
    this.at = first + n * 2;
    const base = first >> 1;
    const chars = source.chars;
    if (cache >= 0) {
      const last = this.recent[cache];
      if (last?.length === n && same(last, chars, base)) return last;
    }
    let text = '';
    // In chunks: fromCharCode takes its arguments on the stack.
    for (let i = 0; i < n; i += 4096) text += String.fromCharCode.apply(null, chars.subarray(base + i, base + Math.min(n, i + 4096)) as unknown as number[]);
    if (cache >= 0) this.recent[cache] = text;
    return text;
  }

  u32(): number {
    const source = this.source;
    if (source === undefined) throw new Error('SlotReader.begin() was not called');
    this.at += 4;
    return source.view.getUint32(this.at - 4, true);
  }
}

function same(text: string, chars: Uint16Array, base: number): boolean {
  for (let i = text.length - 1; i >= 0; i--) if (text.charCodeAt(i) !== chars[base + i]) return false;
  return true;
}
