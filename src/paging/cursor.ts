import { hash, randomBytes, timingSafeEqual } from 'node:crypto';
import { sha256 } from '@noble/hashes/sha2.js';
import { ByteReader, ByteWriter, type CursorLayout } from '../cursor-layout.js';
import { InvalidCursorError } from '../errors.js';

/**
 * 96 bits: forging a cursor takes about 2^95 guesses, each one a request the gateway refuses.
 * A whole number of base64 groups, so the tag is always the cursor's first 16 characters.
 */
const TAG_BYTES = 12;

/**
 * Keys every tag with the payload's format, so a cursor of an earlier format (JSON, before
 * cursors were packed) fails its tag and is refused like any other cursor the gateway did not
 * issue.
 */
const FORMAT = 'packed-1';

/** The cursors of one page: each edge's payload is the page's base plus its own position. */
export type PageCursorEncoder<Position> = (position: Position) => string;

/**
 * Opaque, tamper-evident Relay cursors: base64url of a 96-bit tag followed by a packed payload
 * (`CursorLayout`). The tag is SHA-256 over the secret, the format, the connection's name and the
 * payload, truncated (which rules out length extension). A cursor from one connection is
 * refused by another.
 */
export class CursorCodec {
  private readonly secret: string;
  private readonly keys = new Map<string, Buffer>();

  constructor(secret?: string) {
    this.secret = secret ?? randomBytes(32).toString('base64');
  }

  /**
   * Every edge of a page carries a cursor, so the page's base is packed and hashed once: the
   * SHA-256 state after the key and the base is kept, and an edge costs packing its position,
   * finishing a copy of that state over it (one or two blocks, in JavaScript: a native hash call
   * costs three times as much for so few bytes) and the base64url of a few dozen bytes. The digest
   * is the one `decode` recomputes natively over the whole payload. The encoder writes each edge
   * over the same buffers, so it must not be re-entered, and it never is: it runs to completion
   * on each call.
   */
  pageEncoder<Base, Position>(
    layout: CursorLayout<Base, Position>,
    base: Base,
  ): PageCursorEncoder<Position> {
    const cursor = new ByteWriter(); // tag, base, position: the cursor's bytes
    cursor.bytes(new Uint8Array(TAG_BYTES));
    layout.base.write(cursor, base);
    const positionAt = cursor.size;
    const afterBase = sha256
      .create()
      .update(this.key(layout.connection))
      .update(cursor.written().subarray(TAG_BYTES));
    const edgeHash = sha256.create();
    const digest = new Uint8Array(32);
    return (position) => {
      cursor.rewind(positionAt);
      layout.position.write(cursor, position);
      afterBase._cloneInto(edgeHash);
      edgeHash.update(cursor.written().subarray(positionAt));
      edgeHash.digestInto(digest);
      cursor.overwrite(0, digest.subarray(0, TAG_BYTES));
      return cursor.base64url();
    };
  }

  decode<Base, Position>(layout: CursorLayout<Base, Position>, cursor: string): Base & Position {
    const raw = Buffer.from(cursor, 'base64url');
    if (raw.length <= TAG_BYTES || raw.toString('base64url') !== cursor) {
      throw new InvalidCursorError('not a cursor issued by this gateway');
    }
    const payload = raw.subarray(TAG_BYTES);
    const expected = hash(
      'sha256',
      Buffer.concat([this.key(layout.connection), payload]),
      'buffer',
    );
    if (!timingSafeEqual(raw.subarray(0, TAG_BYTES), expected.subarray(0, TAG_BYTES))) {
      throw new InvalidCursorError(`not a ${layout.connection} cursor issued by this gateway`);
    }
    const input = new ByteReader(payload);
    const base = layout.base.read(input);
    const position = layout.position.read(input);
    input.end();
    return { ...base, ...position };
  }

  private key(connection: string): Buffer {
    let key = this.keys.get(connection);
    if (!key) {
      key = Buffer.from(`${this.secret}\0${FORMAT}\0${connection}\0`, 'utf8');
      this.keys.set(connection, key);
    }
    return key;
  }
}
