import { once } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';
import type { ServerResponse } from 'node:http';

const CHUNK_BYTES = 64 * 1024;

const writable = (res: ServerResponse) => !res.destroyed && !res.writableEnded;

/** Writes `text` one byte at a time, `everyMs` apart, then ends; stops when the client leaves. */
export async function trickle(res: ServerResponse, text: string, everyMs: number): Promise<void> {
  const bytes = Buffer.from(text);
  for (let i = 0; i < bytes.length; i++) {
    if (!writable(res)) return;
    res.write(bytes.subarray(i, i + 1));
    await delay(everyMs, undefined, { ref: false });
  }
  if (writable(res)) res.end();
}

/**
 * Writes `prefix`, then `unit` over and over as fast as the client reads, until it leaves:
 * a body that never ends, holding no more than one chunk in the emulator.
 */
export async function writeForever(
  res: ServerResponse,
  prefix: string,
  unit: string,
): Promise<void> {
  const chunk = Buffer.from(unit.repeat(Math.ceil(CHUNK_BYTES / unit.length)));
  const closed = once(res, 'close').catch(() => undefined);
  res.write(prefix);
  while (writable(res)) {
    if (!res.write(chunk)) await Promise.race([once(res, 'drain').catch(() => undefined), closed]);
  }
}
