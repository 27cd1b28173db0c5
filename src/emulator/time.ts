export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** Which ISO-8601 spellings a parameter accepts besides a full date-time with offset. */
export interface TimestampSyntax {
  dateOnly: boolean;
  /** No offset: read as UTC. */
  naive: boolean;
  optionalSeconds: boolean;
}

/** Any ISO-8601 spelling this module can read. */
export const ANY_ISO: TimestampSyntax = { dateOnly: true, naive: true, optionalSeconds: true };

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?([Zz]|[+-]\d{2}(?::?\d{2})?)?)?$/;

/** Parses an ISO-8601 timestamp into epoch microseconds, or undefined when it is not one. */
export function parseMicros(text: string, syntax: TimestampSyntax): number | undefined {
  const match = ISO.exec(text);
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second, fraction, offset] = match;
  if (hour === undefined) return syntax.dateOnly ? utcMicros(year, month, day) : undefined;
  if (second === undefined && !syntax.optionalSeconds) return undefined;
  if (offset === undefined && !syntax.naive) return undefined;
  const base = utcMicros(year, month, day, hour, minute, second);
  const offsetMicros = parseOffsetMinutes(offset) * MINUTE * 1000;
  if (base === undefined || Number.isNaN(offsetMicros)) return undefined;
  return base - offsetMicros + Number((fraction ?? '').padEnd(6, '0').slice(0, 6));
}

function utcMicros(...parts: (string | undefined)[]): number | undefined {
  const [year = 0, month = 1, day = 1, hour = 0, minute = 0, second = 0] = parts.map(Number);
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  const ms = Date.UTC(year, month - 1, day, hour, minute, second);
  const date = new Date(ms);
  if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return undefined;
  return ms * 1000;
}

function parseOffsetMinutes(offset: string | undefined): number {
  if (offset === undefined || offset.toUpperCase() === 'Z') return 0;
  const digits = offset.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = Number(digits.slice(2) || '0');
  if (hours > 23 || minutes > 59) return NaN;
  return (offset.startsWith('-') ? -1 : 1) * (hours * 60 + minutes);
}

export function isoFromMs(ms: number): string {
  return new Date(ms).toISOString();
}
