import { initContextCache } from '@pothos/core';
import type { YogaInitialContext } from 'graphql-yoga';
import type { Logger } from 'pino';
import type { TailSettings } from './config.js';
import type { CursorCodec } from './paging/cursor.js';
import type { DifyClient } from './upstreams/dify/client.js';
import type { FalClient } from './upstreams/fal/client.js';
import type { UpstreamSource } from './upstreams/errors.js';

/** Each upstream's full `Authorization` value as the client sent it; never logged or echoed. */
export type Credentials = Partial<Record<UpstreamSource, string>>;

export interface Upstreams {
  fal: FalClient;
  dify: DifyClient;
}

/** Long-lived parts shared by every request. */
export interface GatewayServices {
  upstreams: Upstreams;
  cursors: CursorCodec;
  logger: Logger;
  tail: TailSettings;
}

export interface GatewayContext extends GatewayServices {
  credentials: Credentials;
  /** Aborted when the client goes away; passed to every upstream call. */
  signal: AbortSignal;
}

/**
 * `X-Fal-Authorization` and `X-Dify-Authorization` carry a whole upstream `Authorization` value
 * each; a plain `Authorization` goes to fal when it is `Key …` and to Dify when it is `Bearer …`.
 */
export function credentialsFrom(headers: Headers): Credentials {
  const credentials: Credentials = {};
  const fal = headers.get('x-fal-authorization')?.trim();
  const dify = headers.get('x-dify-authorization')?.trim();
  const plain = headers.get('authorization')?.trim();
  if (fal) credentials.fal = fal;
  else if (plain && /^key\s/i.test(plain)) credentials.fal = plain;
  if (dify) credentials.dify = dify;
  else if (plain && /^bearer\s/i.test(plain)) credentials.dify = plain;
  return credentials;
}

export function createContext(
  services: GatewayServices,
  initial: YogaInitialContext,
): GatewayContext {
  return {
    ...initContextCache(),
    ...services,
    credentials: credentialsFrom(initial.request.headers),
    signal: initial.request.signal,
  };
}
