import type { SourceSpec } from '../http/source-server.js';

/** What each of fal's APIs says when it refuses a key. */
export interface KeyRejections {
  /** No `Authorization: Key <key>` header. */
  missing: string;
  /** A key that was never issued. */
  unknown: string;
}

/** fal's `Authorization: Key <key>` check, shared by its APIs so that one key sees one tenant. */
export function keyAuthentication(
  keys: Record<string, string>,
  rejections: KeyRejections,
): SourceSpec['authenticate'] {
  return (authorization) => {
    const key = /^Key (.+)$/.exec(authorization ?? '')?.[1];
    if (!key) return { rejection: rejections.missing };
    return Object.hasOwn(keys, key) ? { tenant: keys[key]! } : { rejection: rejections.unknown };
  };
}
