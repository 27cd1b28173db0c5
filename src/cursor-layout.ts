import { InvalidCursorError } from './errors.js';
import { fromMicros, type Instant } from './time.js';

/**
 * The binary payload of a cursor: its fields in the order a connection declares them once, each
 * packed by a field codec (varints, an enum's index, a digest's bytes, a UUID's 16 bytes), no
 * names and no separators. Reading refuses what a writer could not have written: a byte past the
 * end, an unknown enum index, an overlong varint, a byte left over.
 */
export interface CursorField<Value> {
  write(out: ByteWriter, value: Value): void;
  read(input: ByteReader): Value;
}

type ValueOf<Field> = Field extends CursorField<infer Value> ? Value : never;
type OptionalKeys<Fields> = {
  [K in keyof Fields]: undefined extends ValueOf<Fields[K]> ? K : never;
}[keyof Fields];

/** The object a record of fields packs: a field that may be undefined is an optional key. */
export type FieldValues<Fields> = {
  [K in Exclude<keyof Fields, OptionalKeys<Fields>>]: ValueOf<Fields[K]>;
} & { [K in OptionalKeys<Fields>]?: ValueOf<Fields[K]> };

/**
 * A connection's cursor: the page's `base` fields (packed once per page), then an edge's own
 * `position` fields. `connection` keys the cursor's tag, so one connection refuses another's.
 */
export interface CursorLayout<Base, Position> {
  readonly connection: string;
  readonly base: CursorField<Base>;
  readonly position: CursorField<Position>;
}

/** What a cursor of `Layout` reads as: its base and position fields together. */
export type CursorOf<Layout> =
  Layout extends CursorLayout<infer Base, infer Position> ? Base & Position : never;

export function cursorLayout<
  BaseFields extends Record<string, CursorField<unknown>>,
  PositionFields extends Record<string, CursorField<unknown>>,
>(
  connection: string,
  base: BaseFields,
  position: PositionFields,
): CursorLayout<FieldValues<BaseFields>, FieldValues<PositionFields>> {
  return { connection, base: object(base), position: object(position) };
}

export class ByteWriter {
  private buffer = Buffer.allocUnsafe(64);
  private length = 0;

  byte(value: number): void {
    this.room(1);
    this.buffer[this.length++] = value;
  }

  bytes(value: Uint8Array): void {
    this.room(value.length);
    this.buffer.set(value, this.length);
    this.length += value.length;
  }

  /** A non-negative safe integer, 7 bits a byte, low bits first. */
  varint(value: number): void {
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`not a varint: ${value}`);
    let rest = value;
    while (rest >= 0x80) {
      this.byte((rest % 0x80) | 0x80);
      rest = Math.floor(rest / 0x80);
    }
    this.byte(rest);
  }

  /** How many bytes are written: a mark to rewind to. */
  get size(): number {
    return this.length;
  }

  /** Drops what was written after `mark`, so a writer's head is written once and reused. */
  rewind(mark: number): void {
    this.length = Math.min(mark, this.length);
  }

  /** Writes `value` over bytes already written, from `offset`. */
  overwrite(offset: number, value: Uint8Array): void {
    if (offset + value.length > this.length) throw new RangeError('overwrite past the end');
    this.buffer.set(value, offset);
  }

  /** The bytes written so far, as base64url. */
  base64url(): string {
    return this.buffer.toString('base64url', 0, this.length);
  }

  /** The bytes written so far (a view, valid until the next write or rewind). */
  written(): Buffer {
    return this.buffer.subarray(0, this.length);
  }

  private room(size: number): void {
    if (this.length + size <= this.buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.length + size));
    this.buffer.copy(grown, 0, 0, this.length);
    this.buffer = grown;
  }
}

const MAX_VARINT_BYTES = 8;

export class ByteReader {
  private offset = 0;

  constructor(private readonly buffer: Uint8Array) {}

  byte(): number {
    const value = this.buffer[this.offset++];
    if (value === undefined) throw malformed();
    return value;
  }

  bytes(size: number): Uint8Array {
    if (this.offset + size > this.buffer.length) throw malformed();
    return this.buffer.subarray(this.offset, (this.offset += size));
  }

  varint(): number {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < MAX_VARINT_BYTES; i++) {
      const byte = this.byte();
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) {
        if (!Number.isSafeInteger(value)) throw malformed();
        return value;
      }
      scale *= 0x80;
    }
    throw malformed();
  }

  /** Refuses bytes a writer would not have left. */
  end(): void {
    if (this.offset !== this.buffer.length) throw malformed();
  }
}

const malformed = () => new InvalidCursorError('cursor payload is malformed');

/** A record of fields, packed in their declared order. */
export function object<Fields extends Record<string, CursorField<unknown>>>(
  fields: Fields,
): CursorField<FieldValues<Fields>> {
  const entries = Object.entries<CursorField<unknown>>(fields);
  return {
    write(out, value) {
      const record = value as Record<string, unknown>;
      for (const [name, field] of entries) field.write(out, record[name]);
    },
    read(input) {
      const record: Record<string, unknown> = {};
      for (const [name, field] of entries) {
        const value = field.read(input);
        if (value !== undefined) record[name] = value;
      }
      return record as FieldValues<Fields>;
    },
  };
}

export const uint: CursorField<number> = {
  write: (out, value) => out.varint(value),
  read: (input) => input.varint(),
};

/** Any safe integer, zigzagged so that small negatives stay short. */
export const int: CursorField<number> = {
  write: (out, value) => out.varint(value < 0 ? -2 * value - 1 : 2 * value),
  read: (input) => {
    const zigzag = input.varint();
    return zigzag % 2 === 0 ? zigzag / 2 : -(zigzag + 1) / 2;
  },
};

export const bool: CursorField<boolean> = {
  write: (out, value) => out.byte(value ? 1 : 0),
  read: (input) => oneOfBytes(input.byte(), [false, true]),
};

/** An instant to the microsecond. */
export const instant: CursorField<Instant> = {
  write: (out, value) => int.write(out, value.micros),
  read: (input) => fromMicros(int.read(input)),
};

/** One of `values`, as its index. */
export function oneOf<const Value>(values: readonly Value[]): CursorField<Value> {
  return {
    write: (out, value) => {
      const index = values.indexOf(value);
      if (index < 0) throw new RangeError(`not one of ${values.join(', ')}: ${String(value)}`);
      out.byte(index);
    },
    read: (input) => oneOfBytes(input.byte(), values),
  };
}

function oneOfBytes<Value>(index: number, values: readonly Value[]): Value {
  if (index >= values.length) throw malformed();
  return values[index]!;
}

const DIGEST_BYTES = 12;

/** An arguments digest (`argumentsDigest`: 16 base64url characters) as its 12 bytes. */
export const digest: CursorField<string> = {
  write: (out, value) => {
    const bytes = Buffer.from(value, 'base64url');
    if (bytes.length !== DIGEST_BYTES) throw new RangeError('not an arguments digest');
    out.bytes(bytes);
  },
  read: (input) => Buffer.from(input.bytes(DIGEST_BYTES)).toString('base64url'),
};

export const text: CursorField<string> = {
  write: (out, value) => {
    const bytes = Buffer.from(value, 'utf8');
    out.varint(bytes.length);
    out.bytes(bytes);
  },
  read: (input) => Buffer.from(input.bytes(input.varint())).toString('utf8'),
};

const AS_TEXT = 0;
const AS_UUID = 1;
/** Where a UUID's 16 bytes start in its text: two lowercase hex digits each, dashes between groups. */
const UUID_BYTE_OFFSETS = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];
const UUID_DASHES = [8, 13, 18, 23];

/** The value of a lowercase hex digit's character code, or -1. */
function hexDigit(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code >= 0x61 && code <= 0x66) return code - 0x57;
  return -1;
}

/** Whether `value` is a lowercase UUID (8-4-4-4-12 hex digits), checked character by character. */
function isUuid(value: string): boolean {
  if (value.length !== 36) return false;
  for (const at of UUID_DASHES) if (value.charCodeAt(at) !== 0x2d) return false;
  for (const at of UUID_BYTE_OFFSETS) {
    if (hexDigit(value.charCodeAt(at)) < 0 || hexDigit(value.charCodeAt(at + 1)) < 0) return false;
  }
  return true;
}

/** An upstream id: a lowercase UUID (what fal and Dify issue) as its 16 bytes, else as text. */
export const id: CursorField<string> = {
  write: (out, value) => {
    if (!isUuid(value)) {
      out.byte(AS_TEXT);
      text.write(out, value);
      return;
    }
    out.byte(AS_UUID);
    for (const at of UUID_BYTE_OFFSETS) {
      out.byte(hexDigit(value.charCodeAt(at)) * 16 + hexDigit(value.charCodeAt(at + 1)));
    }
  },
  read: (input) => {
    if (oneOfBytes(input.byte(), [AS_TEXT, AS_UUID]) === AS_TEXT) return text.read(input);
    const hex = Buffer.from(input.bytes(16)).toString('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  },
};

/** A value of `field`, or `absent` (one byte tells which). */
function orAbsent<Value, Absent extends undefined | null>(
  field: CursorField<Value>,
  absent: Absent,
): CursorField<Value | Absent> {
  return {
    write: (out, value) => {
      out.byte(value === absent ? 0 : 1);
      if (value !== absent) field.write(out, value as Value);
    },
    read: (input) => (bool.read(input) ? field.read(input) : absent),
  };
}

/** `undefined`, or a value of `field`. */
export const optional = <Value>(field: CursorField<Value>) => orAbsent(field, undefined);

/** `null`, or a value of `field`. */
export const nullable = <Value>(field: CursorField<Value>) => orAbsent(field, null);

export function list<Value>(field: CursorField<Value>): CursorField<readonly Value[]> {
  return {
    write: (out, values) => {
      out.varint(values.length);
      for (const value of values) field.write(out, value);
    },
    read: (input) => {
      const length = input.varint();
      const values: Value[] = [];
      // Every item takes at least one byte, so a forged length fails at the end of the input.
      for (let i = 0; i < length; i++) values.push(field.read(input));
      return values;
    },
  };
}
