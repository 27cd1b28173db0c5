import { ServerResponse, type IncomingMessage } from 'node:http';

/** Below this, the socket's own encoding is as cheap as a copy. */
const ENCODE_FROM_CHARS = 4096;
const encoder = new TextEncoder();

type WriteCallback = (error?: Error | null) => void;

/**
 * A response whose large string chunks are UTF-8 encoded by `TextEncoder` (vectorised) before
 * they reach the socket. Node 20 writes a string to a socket with V8's per-character UTF-8
 * encoder, which took several times longer for a page of JSON than the encoding here.
 */
export class EncodedServerResponse<
  Request extends IncomingMessage = IncomingMessage,
> extends ServerResponse<Request> {
  override write(
    chunk: unknown,
    encoding?: BufferEncoding | WriteCallback,
    callback?: WriteCallback,
  ): boolean {
    return super.write(
      encodedChunk(chunk, encoding),
      encoding as BufferEncoding,
      callback as WriteCallback,
    );
  }

  override end(chunk?: unknown, encoding?: BufferEncoding | (() => void), callback?: () => void) {
    return super.end(encodedChunk(chunk, encoding), encoding as BufferEncoding, callback);
  }
}

function encodedChunk(chunk: unknown, encoding: unknown): unknown {
  const utf8 = typeof encoding !== 'string' || encoding === 'utf8' || encoding === 'utf-8';
  return typeof chunk === 'string' && utf8 && chunk.length >= ENCODE_FROM_CHARS
    ? encoder.encode(chunk)
    : chunk;
}
