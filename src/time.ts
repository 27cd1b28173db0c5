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

/**
 * Microseconds of a timestamp in the form the upstreams usually send, UTC to the second then
 * milliseconds or microseconds (`2026-11-30T12:34:56.789Z`, `…56.789012Z`), when `text` is
 * exactly that form and names a real instant; otherwise undefined. Read character by
 * character: every upstream line has one, and a regular expression's match would allocate.
 */
function utcFractionMicros(text: string): number | undefined {
  const length = text.length;
  if ((length !== 24 && length !== 27) || text.charCodeAt(length - 1) !== Z) return undefined;
  if (!hasSeparators(text)) return undefined;
  const fraction = digitsAt(text, 20, length - 21);
  const wallMs = utcMs(
    digitsAt(text, 0, 4),
    digitsAt(text, 5, 2),
    digitsAt(text, 8, 2),
    digitsAt(text, 11, 2),
    digitsAt(text, 14, 2),
    digitsAt(text, 17, 2),
  );
  if (wallMs === undefined || fraction < 0) return undefined;
  return wallMs * 1000 + (length === 24 ? fraction * 1000 : fraction);
}

const Z = 0x5a;
/** `-`, `-`, `T`, `:`, `:` and `.` where the form has them. */
function hasSeparators(text: string): boolean {
  return (
    text.charCodeAt(4) === 0x2d &&
    text.charCodeAt(7) === 0x2d &&
    text.charCodeAt(10) === 0x54 &&
    text.charCodeAt(13) === 0x3a &&
    text.charCodeAt(16) === 0x3a &&
    text.charCodeAt(19) === 0x2e
  );
}

/** The decimal number of `count` characters from `at`, or -1 when one is not a digit. */
function digitsAt(text: string, at: number, count: number): number {
  let value = 0;
  for (let i = at; i < at + count; i++) {
    const digit = text.charCodeAt(i) - 0x30;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

/** A timestamp as the DateTime scalar gives it out: canonical UTC, or the text as it came. */
export function canonicalIso(text: string): string {
  const micros = utcFractionMicros(text);
  // Already canonical: milliseconds, or microseconds not ending in 000.
  if (micros !== undefined && (text.length === 24 || micros % 1000 !== 0)) return text;
  return parseInstant(text)?.iso ?? text;
}

/**
 * Microseconds since the epoch of a timestamp parseInstant reads, without its canonical text:
 * what a walk needs of every upstream line.
 */
export function parseMicros(text: string): number | undefined {
  return utcFractionMicros(text) ?? parseInstant(text)?.micros;
}

export function parseInstant(text: string): Instant | undefined {
  const utcMicros = utcFractionMicros(text);
  if (utcMicros !== undefined) return fromMicros(utcMicros);
  const m = ISO.exec(text.trim());
  if (!m) return undefined;
  const [, y, mo, d, h = '0', mi = '0', s = '0', fraction = '', zone = 'Z'] = m;
  const wallMs = utcMs(Number(y), Number(mo), Number(d), Number(h), Number(mi), Number(s));
  if (wallMs === undefined) return undefined;
  const offsetMinutes = zoneOffsetMinutes(zone);
  if (offsetMinutes === undefined) return undefined;
  const micros =
    (wallMs - offsetMinutes * 60_000) * 1000 + Number(fraction.padEnd(6, '0').slice(0, 6));
  return fromMicros(micros);
}

/** Epoch ms of a UTC wall-clock second, if it is a real one (no 31 April, no hour 24). */
function utcMs(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
): number | undefined {
  if (year < 0 || month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return;
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return;
  // Date.UTC reads years 0 to 99 as 1900 to 1999; 400 years later the calendar repeats.
  if (year < 100)
    return Date.UTC(year + 400, month - 1, day, hour, minute, second) - MS_PER_400_YEARS;
  return Date.UTC(year, month - 1, day, hour, minute, second);
}

const MS_PER_400_YEARS = 146_097 * 86_400_000;

function daysIn(year: number, month: number): number {
  if (month !== 2) return DAYS_IN_MONTH[month - 1]!;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return leap ? 29 : 28;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

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
  const base = isoOfMillis(ms);
  const iso = subMs === 0 ? base : `${base.slice(0, -1)}${THREE_DIGITS[subMs]}Z`;
  return { micros, iso };
}

const DAY_MS = 86_400_000;
const TWO_DIGITS = Array.from({ length: 100 }, (_, n) => String(n).padStart(2, '0'));
const THREE_DIGITS = Array.from({ length: 1000 }, (_, n) => String(n).padStart(3, '0'));

/**
 * `Date.prototype.toISOString` of `ms`, computed without a Date for years 1000 to 9999: every
 * Dify timestamp and many fal ones are formatted, and a Date costs three times as much.
 */
function isoOfMillis(ms: number): string {
  const days = Math.floor(ms / DAY_MS);
  const { year, month, day } = civilDate(days);
  if (year < 1000 || year > 9999) return new Date(ms).toISOString();
  const msOfDay = ms - days * DAY_MS;
  const second = Math.floor(msOfDay / 1000);
  const hh = TWO_DIGITS[Math.floor(second / 3600)]!;
  const mm = TWO_DIGITS[Math.floor(second / 60) % 60]!;
  const ss = TWO_DIGITS[second % 60]!;
  return `${year}-${TWO_DIGITS[month]}-${TWO_DIGITS[day]}T${hh}:${mm}:${ss}.${THREE_DIGITS[msOfDay % 1000]}Z`;
}

/** The proleptic Gregorian date `days` after 1970-01-01 (Howard Hinnant's civil_from_days). */
function civilDate(days: number): { year: number; month: number; day: number } {
  const shifted = days + 719_468; // days since 0000-03-01
  const era = Math.floor(shifted / 146_097);
  const dayOfEra = shifted - era * 146_097;
  const yearOfEra = Math.floor(
    (dayOfEra -
      Math.floor(dayOfEra / 1460) +
      Math.floor(dayOfEra / 36_524) -
      Math.floor(dayOfEra / 146_096)) /
      365,
  );
  const dayOfYear =
    dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const monthFromMarch = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * monthFromMarch + 2) / 5) + 1;
  const month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9;
  return { year: yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

export function fromMillis(ms: number): Instant {
  return fromMicros(Math.floor(ms) * 1000);
}

const HOUR_MICROS = 3_600_000_000;
export const hoursBefore = (instant: Instant, hours: number): Instant =>
  fromMicros(instant.micros - hours * HOUR_MICROS);
