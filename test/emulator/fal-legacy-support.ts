import type { Emulator } from '../../src/emulator/index.js';
import { call, FAL, queryString } from './support.js';
import type { Answer, Params, WireLine } from './support.js';

/** A line of the legacy API: naive UTC timestamps, legacy labels. */
export type LegacyLine = WireLine;

/** `POST /logs/` of the legacy API; a string body is sent as it is. */
export function legacyLogs<T = LegacyLine[]>(
  emulator: Emulator,
  params: Params = {},
  body?: unknown,
  headers: Record<string, string> = FAL,
  path = '/logs/',
): Promise<Answer<T>> {
  return call(`${emulator.falLegacyUrl}${path}${queryString(params)}`, {
    method: 'POST',
    headers,
    body,
  });
}
