import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CursorCodec } from '../../src/paging/cursor.js';
import { argumentsDigest } from '../../src/digest.js';
import { InvalidCursorError } from '../../src/errors.js';

const schema = z.object({ at: z.number() });

describe('CursorCodec', () => {
  const codec = new CursorCodec('a-test-secret-of-enough-length');

  const encode = (connection: string, payload: object) =>
    codec.pageEncoder(connection, {})(payload);

  it('round-trips a payload as base64url', () => {
    const cursor = encode('falLogs', { at: 42 });
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(codec.decode('falLogs', cursor, schema)).toEqual({ at: 42 });
  });

  it("gives each edge of a page the page's base and its own position", () => {
    const encodeEdge = codec.pageEncoder('falLogs', { args: 'digest', at: 0 });
    const wide = z.object({ args: z.string(), at: z.number(), seen: z.number().optional() });
    expect(codec.decode('falLogs', encodeEdge({ at: 7, seen: 2 }), wide)).toEqual({
      args: 'digest',
      at: 7,
      seen: 2,
    });
    expect(codec.decode('falLogs', encodeEdge({}), wide)).toEqual({ args: 'digest', at: 0 });
    expect(encodeEdge({ at: 7 })).not.toBe(encodeEdge({ at: 8 }));
    expect(codec.pageEncoder('falLogs', {})({})).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it.each(['d', 'di', 'dig', 'día', 'dïgest☃'])(
    'round-trips every edge of a page whose base is %s, whatever its length in bytes',
    (args) => {
      const encodeEdge = codec.pageEncoder('falLogs', { args, order: 'NEWEST_FIRST' });
      const wide = z.object({ args: z.string(), order: z.string(), at: z.number() });
      for (const at of [1, 22, 333]) {
        const cursor = encodeEdge({ at });
        expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
        expect(codec.decode('falLogs', cursor, wide)).toEqual({ args, order: 'NEWEST_FIRST', at });
      }
    },
  );

  it('refuses a cursor with one byte changed', () => {
    const raw = Buffer.from(encode('falLogs', { at: 42 }), 'base64url');
    raw.writeUInt8(raw.readUInt8(raw.length - 3) ^ 1, raw.length - 3);
    expect(() => codec.decode('falLogs', raw.toString('base64url'), schema)).toThrow(
      InvalidCursorError,
    );
  });

  it('refuses a cursor issued for another connection or by another secret', () => {
    const cursor = encode('falLogs', { at: 1 });
    expect(() => codec.decode('workflowLogs', cursor, schema)).toThrow(InvalidCursorError);
    expect(() =>
      new CursorCodec('another-secret-entirely').decode('falLogs', cursor, schema),
    ).toThrow(InvalidCursorError);
  });

  it.each(['', 'not a cursor', 'AAAA', '%%%'])('refuses garbage %j', (cursor) => {
    expect(() => codec.decode('falLogs', cursor, schema)).toThrow(InvalidCursorError);
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
