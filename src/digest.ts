import { createHash, createHmac } from 'node:crypto';

/** A short digest of a connection's arguments, so a cursor is only honoured with the arguments it came from. */
export function argumentsDigest(value: unknown): string {
  return createHash('sha256').update(stableJson(value)).digest('base64url').slice(0, 16);
}

/**
 * A name for `value` that only holders of `secret` can compute or test a guess against (HMAC,
 * 128 bits): what replicas may write where others can read, e.g. in Redis.
 */
export function keyedDigest(secret: string, value: unknown): string {
  return createHmac('sha256', secret).update(stableJson(value)).digest('base64url').slice(0, 22);
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
