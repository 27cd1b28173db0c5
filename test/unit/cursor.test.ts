import { hash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  bool,
  cursorLayout,
  digest,
  id,
  instant,
  int,
  list,
  nullable,
  object,
  oneOf,
  optional,
  text,
  uint,
  type CursorField,
} from '../../src/cursor-layout.js';
import { CursorCodec } from '../../src/paging/cursor.js';
import { argumentsDigest } from '../../src/digest.js';
import { InvalidCursorError } from '../../src/errors.js';
import { fromMicros, parseInstant } from '../../src/time.js';

const SECRET = 'a-test-secret-of-enough-length';
const BASE64URL = /^[A-Za-z0-9_-]+$/;
const UUID = '0b6f2c1e-9d4a-4c3b-8e7f-1a2b3c4d5e6f';

const LOGS_BASE = {
  args: digest,
  order: oneOf(['NEWEST_FIRST', 'OLDEST_FIRST']),
  start: instant,
  end: instant,
};
const logs = cursorLayout('falLogs', LOGS_BASE, { micros: int, seen: uint });

const start = parseInstant('2026-11-30T04:47:47.123456Z')!;
const end = parseInstant('2026-12-01T04:47:47.123456Z')!;
const args = argumentsDigest({ filter: { search: 'a' } });

describe('CursorCodec', () => {
  const codec = new CursorCodec(SECRET);
  const encodeEdge = codec.pageEncoder(logs, { args, order: 'OLDEST_FIRST', start, end });

  it("gives each edge of a page the page's base and its own position, as base64url", () => {
    const cursor = encodeEdge({ micros: end.micros - 1, seen: 3 });
    expect(cursor).toMatch(BASE64URL);
    expect(codec.decode(logs, cursor)).toEqual({
      args,
      order: 'OLDEST_FIRST',
      start,
      end,
      micros: end.micros - 1,
      seen: 3,
    });
    expect(encodeEdge({ micros: 7, seen: 1 })).not.toBe(encodeEdge({ micros: 8, seen: 1 }));
  });

  it('encodes each edge whole, whatever the length of the edges before it', () => {
    const rows = cursorLayout('workflowLogs', { args: digest }, { ids: list(id) });
    const encode = codec.pageEncoder(rows, { args });
    const long = encode({ ids: Array.from({ length: 40 }, (_, i) => `row-${i}`) });
    const short = encode({ ids: [UUID] });
    expect(codec.decode(rows, short)).toEqual({ args, ids: [UUID] });
    expect(codec.decode(rows, long).ids).toHaveLength(40);
  });

  it('refuses a cursor with any one character changed', () => {
    const cursor = encodeEdge({ micros: end.micros - 1, seen: 2 });
    for (let i = 0; i < cursor.length; i++) {
      const changed = cursor[i] === 'A' ? 'B' : 'A';
      const tampered = cursor.slice(0, i) + changed + cursor.slice(i + 1);
      expect(() => codec.decode(logs, tampered), `character ${i}`).toThrow(InvalidCursorError);
    }
  });

  it('refuses a cursor issued for another connection or by another secret', () => {
    const cursor = encodeEdge({ micros: 1, seen: 1 });
    expect(() => codec.decode({ ...logs, connection: 'workflowLogs' }, cursor)).toThrow(
      /not a workflowLogs cursor/,
    );
    expect(() => new CursorCodec('another-secret-entirely').decode(logs, cursor)).toThrow(
      InvalidCursorError,
    );
  });

  it('refuses a cursor of the JSON format cursors had before they were packed', () => {
    const json = JSON.stringify({ args, order: 'NEWEST_FIRST', start: start.iso, end: end.iso });
    const tag = hash('sha256', `${SECRET}\0falLogs\0${json}`, 'base64url').slice(0, 24);
    const old = tag + Buffer.from(json).toString('base64url');
    expect(() => codec.decode(logs, old)).toThrow(/not a falLogs cursor issued by this gateway/);
  });

  it('refuses a signed payload that does not read whole as the layout', () => {
    const longer = cursorLayout('falLogs', LOGS_BASE, { micros: int, seen: uint, more: uint });
    const shorter = cursorLayout('falLogs', LOGS_BASE, { micros: int });
    const cursor = encodeEdge({ micros: 1, seen: 1 });
    expect(() => codec.decode(longer, cursor)).toThrow(/malformed/);
    expect(() => codec.decode(shorter, cursor)).toThrow(/malformed/);
  });

  it.each(['', 'not a cursor', 'AAAA', '%%%', 'bm90LWEtY3Vyc29y'])(
    'refuses garbage %j',
    (cursor) => {
      expect(() => codec.decode(logs, cursor)).toThrow(InvalidCursorError);
    },
  );
});

describe('cursor fields', () => {
  const codec = new CursorCodec(SECRET);
  const roundTrip = <Value>(field: CursorField<Value>, value: Value) => {
    const layout = cursorLayout('test', {}, { value: field });
    const cursor = codec.pageEncoder(layout, {})({ value } as never);
    return (codec.decode(layout, cursor) as { value?: Value }).value;
  };

  it.each([0, 1, 127, 128, -1, -64, -65, 2 ** 52 - 1, -(2 ** 52), 1_795_000_000_000_000])(
    'round-trips the integer %d',
    (value) => {
      expect(roundTrip(int, value)).toBe(value);
      if (value >= 0) expect(roundTrip(uint, value)).toBe(value);
    },
  );

  it('round-trips instants to the microsecond, before and after the epoch', () => {
    for (const micros of [1_795_000_000_123_456, 0, -1_000_001]) {
      expect(roundTrip(instant, fromMicros(micros))).toEqual(fromMicros(micros));
    }
  });

  it.each([
    UUID,
    UUID.toUpperCase(),
    'req_1',
    '',
    'dïgest☃',
    `${UUID}x`,
    UUID.replace('0b6f', '0g6f'),
    UUID.replace('-9d4a', '9d4a-'),
    UUID.replaceAll('-', '_'),
    '00000000-0000-0000-0000-000000000000',
    'ffffffff-ffff-ffff-ffff-ffffffffffff',
  ])('round-trips the id %j exactly', (value) => {
    expect(roundTrip(id, value)).toBe(value);
  });

  it('packs a lowercase UUID as its 16 bytes', () => {
    const layout = cursorLayout('test', {}, { value: id });
    const asUuid = codec.pageEncoder(layout, {})({ value: UUID });
    const asText = codec.pageEncoder(layout, {})({ value: UUID.toUpperCase() });
    expect(asText.length - asUuid.length).toBeGreaterThanOrEqual(24);
  });

  it('round-trips text, flags, absent and null values, lists and records', () => {
    expect(roundTrip(text, 'día ☃')).toBe('día ☃');
    expect(roundTrip(bool, false)).toBe(false);
    expect(roundTrip(optional(uint), undefined)).toBeUndefined();
    expect(roundTrip(optional(uint), 0)).toBe(0);
    expect(roundTrip(nullable(uint), null)).toBeNull();
    expect(roundTrip(list(id), [UUID, 'b'])).toEqual([UUID, 'b']);
    expect(roundTrip(list(id), [])).toEqual([]);
    const record = object({ after: optional(uint), done: optional(bool) });
    expect(roundTrip(record, { done: true })).toEqual({ done: true });
    expect(roundTrip(digest, args)).toBe(args);
  });

  it('refuses to pack what it could not read back', () => {
    const layout = cursorLayout('test', {}, { order: oneOf(['A', 'B']), n: uint });
    const encode = codec.pageEncoder(layout, {});
    expect(() => encode({ order: 'C' as 'A', n: 1 })).toThrow(RangeError);
    expect(() => encode({ order: 'A', n: -1 })).toThrow(RangeError);
    expect(() => encode({ order: 'A', n: 0.5 })).toThrow(RangeError);
  });
});

describe('argumentsDigest', () => {
  it('ignores key order and absent values', () => {
    expect(argumentsDigest({ a: 1, b: [1, 2], c: undefined })).toBe(
      argumentsDigest({ b: [1, 2], a: 1, d: null }),
    );
    expect(argumentsDigest({ a: 1 })).not.toBe(argumentsDigest({ a: 2 }));
  });
});
