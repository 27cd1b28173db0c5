/**
 * Timestamps as the upstreams send them: ISO-8601 with `Z`, an offset or no zone at all
 * (naive values are UTC), a space or `T` separator, and zero to nine fraction digits.
 * Microseconds are kept; JavaScript's Date alone would drop them.
 */
export interface Instant {
  /** Microseconds since the Unix epoch: exact, and safe as a JS number until the year 2255. */
  readonly micros: number;
  /** Canonical UTC form: milliseconds, or microseconds when there are any. */
  readonly iso: string;
}

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(Z|z|[+-]\d{2}(?::?\d{2})?)?)?$/;

const CANONICAL_MILLIS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** A timestamp as the DateTime scalar gives it out: canonical UTC, or the text as it came. */
export function canonicalIso(text: string): string {
  return CANONICAL_MILLIS.test(text) ? text : (parseInstant(text)?.iso ?? text);
}

export function parseInstant(text: string): Instant | undefined {
  if (CANONICAL_MILLIS.test(text)) {
    const ms = Date.parse(text);
    if (!Number.isNaN(ms) && new Date(ms).toISOString() === text)
      return { micros: ms * 1000, iso: text };
  }
  const m = ISO.exec(text.trim());
  if (!m) return undefined;
  const [, y, mo, d, h = '0', mi = '0', s = '0', fraction = '', zone = 'Z'] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return;
  const wallMs = Date.UTC(year, month - 1, day, hour, minute, second);
  if (new Date(wallMs).getUTCDate() !== day) return undefined;
  const offsetMinutes = zoneOffsetMinutes(zone);
  if (offsetMinutes === undefined) return undefined;
  const micros =
    (wallMs - offsetMinutes * 60_000) * 1000 + Number(fraction.padEnd(6, '0').slice(0, 6));
  return fromMicros(micros);
}

function zoneOffsetMinutes(zone: string): number | undefined {
  if (zone === 'Z' || zone === 'z') return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = Number(digits.slice(2) || '0');
  if (hours > 23 || minutes > 59) return undefined;
  return sign * (hours * 60 + minutes);
}

export function fromMicros(micros: number): Instant {
  const ms = Math.floor(micros / 1000);
  const subMs = micros - ms * 1000;
  const base = new Date(ms).toISOString();
  const iso = subMs === 0 ? base : `${base.slice(0, -1)}${String(subMs).padStart(3, '0')}Z`;
  return { micros, iso };
}

export function fromMillis(ms: number): Instant {
  return fromMicros(Math.floor(ms) * 1000);
}

const HOUR_MICROS = 3_600_000_000;
export const hoursBefore = (instant: Instant, hours: number): Instant =>
  fromMicros(instant.micros - hours * HOUR_MICROS);
