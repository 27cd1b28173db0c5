import { createHash, hash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { z } from 'zod';

const TAG_BYTES = 16;

export class InvalidCursorError extends Error {
  override name = 'InvalidCursorError';
}

/**
 * Opaque, tamper-evident Relay cursors: base64url of a 128-bit tag followed by a JSON payload.
 * The tag is SHA-256 over the secret, the connection's name and the payload, truncated (which
 * rules out length extension): one native call per edge, as every edge of a page carries one.
 * A cursor from one connection is refused by another.
 */
export class CursorCodec {
  private readonly keyPrefix: string;

  constructor(secret?: string) {
    this.keyPrefix = `${secret ?? randomBytes(32).toString('base64')}\0`;
  }

  encode(connection: string, payload: unknown): string {
    const json = JSON.stringify(payload);
    return Buffer.concat([this.tag(connection, json), Buffer.from(json, 'utf8')]).toString(
      'base64url',
    );
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
    if (!timingSafeEqual(raw.subarray(0, TAG_BYTES), this.tag(connection, json))) {
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

  private tag(connection: string, json: string): Buffer {
    return hash('sha256', `${this.keyPrefix}${connection}\0${json}`, 'buffer').subarray(
      0,
      TAG_BYTES,
    );
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
