/** Microseconds since the epoch: the gateway's instants carry them when the source has them. */
export function micros(instant: string): number {
  const extra = /\.\d{3}(\d{1,3})/.exec(instant)?.[1] ?? '';
  return Date.parse(instant) * 1000 + Number(extra.padEnd(3, '0'));
}

/** The first millisecond after an instant: the exclusive end of a window holding only it. */
export const justAfter = (instant: string) => new Date(Date.parse(instant) + 1).toISOString();

/** Local wall-clock time with milliseconds, as log viewers show it. */
export const clock = (instant: string) =>
  new Date(instant).toLocaleTimeString([], {
    hour12: false,
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    fractionalSecondDigits: 3,
  });

export const dateAndTime = (instant: string) =>
  new Date(instant).toLocaleString([], { dateStyle: 'medium', timeStyle: 'medium' });
