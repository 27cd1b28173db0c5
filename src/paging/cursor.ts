import { hash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { z } from 'zod';
import { InvalidCursorError } from '../errors.js';

/** 18 bytes: a whole number of base64 groups, so the tag's text and the payload's join as-is. */
const TAG_BYTES = 18;
const TAG_CHARS = (TAG_BYTES / 3) * 4;

/** The cursors of one page: each edge's payload is the page's `base` plus its own `position`. */
export type PageCursorEncoder = (position: object) => string;

/**
 * Opaque, tamper-evident Relay cursors: base64url of a 144-bit tag followed by a JSON payload.
 * The tag is SHA-256 over the secret, the connection's name and the payload, truncated (which
 * rules out length extension). A cursor from one connection is refused by another.
 */
export class CursorCodec {
  private readonly keyPrefix: string;

  constructor(secret?: string) {
    this.keyPrefix = `${secret ?? randomBytes(32).toString('base64')}\0`;
  }

  /**
   * Every edge of a page carries a cursor, so the work shared by a page's cursors is done once:
   * the base payload's JSON and its base64url text. Padded with JSON whitespace to a whole number
   * of base64 groups, the base's text and an edge's own position's text join as-is; each edge
   * then costs one native hash and the base64url of its position alone.
   */
  pageEncoder(connection: string, base: object): PageCursorEncoder {
    const keyed = `${this.keyPrefix}${connection}\0`;
    const baseJson = JSON.stringify(base);
    const whole = (json: string) =>
      this.tag(keyed, json) + Buffer.from(json, 'utf8').toString('base64url');
    if (baseJson === '{}') return (position) => whole(JSON.stringify(position));
    const openHead = `${baseJson.slice(0, -1)},`;
    const head = openHead.padEnd(openHead.length + ((3 - (Buffer.byteLength(openHead) % 3)) % 3));
    const headText = Buffer.from(head, 'utf8').toString('base64url');
    return (position) => {
      const positionJson = JSON.stringify(position);
      if (positionJson === '{}') return whole(baseJson);
      const tail = positionJson.slice(1);
      return (
        this.tag(keyed, head + tail) + headText + Buffer.from(tail, 'utf8').toString('base64url')
      );
    };
  }

  decode<Schema extends z.ZodType>(
    connection: string,
    cursor: string,
    schema: Schema,
  ): z.output<Schema> {
    const raw = Buffer.from(cursor, 'base64url');
    if (raw.length <= TAG_BYTES || raw.toString('base64url') !== cursor) {
      throw new InvalidCursorError('not a cursor issued by this gateway');
    }
    const json = raw.subarray(TAG_BYTES).toString('utf8');
    const expected = Buffer.from(this.tag(`${this.keyPrefix}${connection}\0`, json), 'base64url');
    if (!timingSafeEqual(raw.subarray(0, TAG_BYTES), expected)) {
      throw new InvalidCursorError(`not a ${connection} cursor issued by this gateway`);
    }
    let payload: unknown;
    try {
      payload = JSON.parse(json);
    } catch {
      throw new InvalidCursorError('cursor payload is unreadable');
    }
    const parsed = schema.safeParse(payload);
    if (!parsed.success) throw new InvalidCursorError('cursor payload is malformed');
    return parsed.data;
  }

  /** The tag as base64url text. */
  private tag(keyed: string, json: string): string {
    return hash('sha256', keyed + json, 'base64url').slice(0, TAG_CHARS);
  }
}
