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

/** UTC to the second, then milliseconds or microseconds: how the upstreams usually send time. */
const UTC_FRACTION = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.(\d{3}|\d{6})Z$/;

/** A timestamp as the DateTime scalar gives it out: canonical UTC, or the text as it came. */
export function canonicalIso(text: string): string {
  const m = UTC_FRACTION.exec(text);
  // Already canonical: a valid instant with milliseconds, or microseconds not ending in 000.
  if (m && secondMs(m) !== undefined && (m[7]!.length === 3 || !m[7]!.endsWith('000'))) {
    return text;
  }
  return parseInstant(text)?.iso ?? text;
}

/**
 * Microseconds since the epoch of a timestamp parseInstant reads, without its canonical text:
 * what a walk needs of every upstream line.
 */
export function parseMicros(text: string): number | undefined {
  const m = UTC_FRACTION.exec(text);
  if (!m) return parseInstant(text)?.micros;
  const ms = secondMs(m);
  return ms === undefined ? undefined : ms * 1000 + Number(m[7]!.padEnd(6, '0'));
}

export function parseInstant(text: string): Instant | undefined {
  const utc = UTC_FRACTION.exec(text);
  if (utc) {
    const ms = secondMs(utc);
    return ms === undefined ? undefined : fromMicros(ms * 1000 + Number(utc[7]!.padEnd(6, '0')));
  }
  const m = ISO.exec(text.trim());
  if (!m) return undefined;
  const [, y, mo, d, h = '0', mi = '0', s = '0', fraction = '', zone = 'Z'] = m;
  const wallMs = utcMs(y!, mo!, d!, h, mi, s);
  if (wallMs === undefined) return undefined;
  const offsetMinutes = zoneOffsetMinutes(zone);
  if (offsetMinutes === undefined) return undefined;
  const micros =
    (wallMs - offsetMinutes * 60_000) * 1000 + Number(fraction.padEnd(6, '0').slice(0, 6));
  return fromMicros(micros);
}

/** The epoch ms of the whole second a UTC_FRACTION match names, if it is a real one. */
function secondMs(m: RegExpExecArray): number | undefined {
  return utcMs(m[1]!, m[2]!, m[3]!, m[4]!, m[5]!, m[6]!);
}

function utcMs(
  y: string,
  mo: string,
  d: string,
  h: string,
  mi: string,
  s: string,
): number | undefined {
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return;
  const wallMs = Date.UTC(Number(y), month - 1, day, hour, minute, second);
  // Date.UTC rolls 31 April over into May.
  return new Date(wallMs).getUTCDate() === day ? wallMs : undefined;
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
