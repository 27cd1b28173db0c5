import { createHash, randomBytes, timingSafeEqual, type Hash } from 'node:crypto';
import type { z } from 'zod';

const TAG_BYTES = 16;
const SHA256_BLOCK_BYTES = 64;

export class InvalidCursorError extends Error {
  override name = 'InvalidCursorError';
}

/**
 * Opaque, tamper-evident Relay cursors: base64url of an HMAC tag followed by a JSON payload.
 * The tag covers the connection's name, so a cursor from one connection is refused by another.
 */
export class CursorCodec {
  /** HMAC-SHA256's inner and outer hashes with the key already absorbed, copied for each tag. */
  private readonly inner: Hash;
  private readonly outer: Hash;

  constructor(secret?: string) {
    let key = secret ? Buffer.from(secret, 'utf8') : randomBytes(32);
    if (key.length > SHA256_BLOCK_BYTES) key = createHash('sha256').update(key).digest();
    const block = Buffer.alloc(SHA256_BLOCK_BYTES);
    key.copy(block);
    this.inner = createHash('sha256').update(block.map((byte) => byte ^ 0x36));
    this.outer = createHash('sha256').update(block.map((byte) => byte ^ 0x5c));
  }

  encode(connection: string, payload: unknown): string {
    const body = Buffer.from(JSON.stringify(payload), 'utf8');
    return Buffer.concat([this.tag(connection, body), body]).toString('base64url');
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
    const body = raw.subarray(TAG_BYTES);
    if (!timingSafeEqual(raw.subarray(0, TAG_BYTES), this.tag(connection, body))) {
      throw new InvalidCursorError(`not a ${connection} cursor issued by this gateway`);
    }
    let payload: unknown;
    try {
      payload = JSON.parse(body.toString('utf8'));
    } catch {
      throw new InvalidCursorError('cursor payload is unreadable');
    }
    const parsed = schema.safeParse(payload);
    if (!parsed.success) throw new InvalidCursorError('cursor payload is malformed');
    return parsed.data;
  }

  /** HMAC-SHA256 of the connection name and the payload, truncated; one tag per edge is hot. */
  private tag(connection: string, body: Buffer): Buffer {
    const innerDigest = this.inner.copy().update(connection).update('\0').update(body).digest();
    return this.outer.copy().update(innerDigest).digest().subarray(0, TAG_BYTES);
  }
}

/** A short digest of a connection's arguments, so a cursor is only honoured with the arguments it came from. */
export function argumentsDigest(value: unknown): string {
  return createHash('sha256').update(stableJson(value)).digest('base64url').slice(0, 16);
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined && v !== null)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}
