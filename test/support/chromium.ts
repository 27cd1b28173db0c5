import { existsSync } from 'node:fs';

/** Debian's Chromium, driven by playwright-core (no browser download): `apt-get install chromium`. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Whether the browser tests can run here; when not, says so once, naming the suite. */
export function hasChromium(suite: string): boolean {
  if (existsSync(CHROMIUM)) return true;
  console.warn(`SKIPPED: ${suite}: no Chromium at ${CHROMIUM} (apt-get install chromium)`);
  return false;
}
