import { describe, expect, it } from 'vitest';
import { canonicalIso, fromMicros, parseInstant, parseMicros } from '../../src/time.js';

describe('parseInstant', () => {
  it.each([
    ['2025-09-19T12:16:10.599Z', '2025-09-19T12:16:10.599Z'],
    ['2025-09-19T12:16:10.599608', '2025-09-19T12:16:10.599608Z'],
    ['2025-09-19T12:16:10.599608+00:00', '2025-09-19T12:16:10.599608Z'],
    ['2025-09-19 14:16:10+02:00', '2025-09-19T12:16:10.000Z'],
    ['2025-09-19T12:16:10.5Z', '2025-09-19T12:16:10.500Z'],
    ['2025-09-19T12:16:10.123456789Z', '2025-09-19T12:16:10.123456Z'],
    ['2025-09-19T12:16Z', '2025-09-19T12:16:00.000Z'],
    ['2025-09-19', '2025-09-19T00:00:00.000Z'],
    ['2025-09-18T22:00:00-0230', '2025-09-19T00:30:00.000Z'],
    ['2024-02-29T12:16:10.599Z', '2024-02-29T12:16:10.599Z'],
    ['2000-02-29T00:00:00.000001Z', '2000-02-29T00:00:00.000001Z'],
    ['0050-03-01T00:00:00.000Z', '0050-03-01T00:00:00.000Z'],
    ['0050-03-01', '0050-03-01T00:00:00.000Z'],
  ])('reads %s as %s', (text, iso) => {
    expect(parseInstant(text)?.iso).toBe(iso);
  });

  it('keeps microseconds in the ordering key', () => {
    const a = parseInstant('2025-09-19T12:16:10.599608Z')!;
    const b = parseInstant('2025-09-19T12:16:10.599609Z')!;
    expect(b.micros - a.micros).toBe(1);
  });

  it.each([
    '',
    'yesterday',
    '2025-02-30',
    '2025-13-01',
    '2025-01-01T24:00:00Z',
    '1700000000',
    '2025-02-29T12:16:10.599Z',
    '2100-02-29T12:16:10.599608Z',
    '2025-09-1xT12:16:10.599Z',
    '2025-09-19T12:16:1x.599Z',
    '2025-09-19T12:16:10.59xZ',
    '2025-09-19T12:60:10.599Z',
  ])('rejects %j', (text) => {
    expect(parseInstant(text)).toBeUndefined();
  });

  it('formats any instant as Date does, with microseconds when it has them', () => {
    // Years 1716 to 2223: within the exact range of micros as a JS number.
    const samples = [-8_000_000_000_000, -1, 0, 951_782_400_000, 4_102_444_800_000, 8e12];
    for (let i = 0; i < 20_000; i++) samples.push(Math.floor((i * 7_919_993_337) % 4e12) - 1e12);
    for (const ms of samples) {
      expect(fromMicros(ms * 1000).iso).toBe(new Date(ms).toISOString());
      expect(fromMicros(ms * 1000 + 7).iso).toBe(new Date(ms).toISOString().replace('Z', '007Z'));
    }
  });

  it('round-trips through fromMicros', () => {
    const instant = parseInstant('1999-12-31T23:59:59.000001Z')!;
    expect(fromMicros(instant.micros)).toEqual(instant);
  });
});

describe('canonicalIso and parseMicros', () => {
  it.each([
    ['2025-09-19T12:16:10.599608Z', '2025-09-19T12:16:10.599608Z'],
    ['2025-09-19T12:16:10.599000Z', '2025-09-19T12:16:10.599Z'],
    ['2025-09-19T12:16:10.000Z', '2025-09-19T12:16:10.000Z'],
    ['2025-09-19 12:16:10.5+02:00', '2025-09-19T10:16:10.500Z'],
    ['2025-04-31T00:00:00.000Z', '2025-04-31T00:00:00.000Z'],
    ['2025-02-29T12:00:00.123456Z', '2025-02-29T12:00:00.123456Z'],
  ])('gives %s out as %s, with the micros parseInstant reads', (text, iso) => {
    expect(canonicalIso(text)).toBe(iso);
    expect(parseMicros(text)).toBe(parseInstant(text)?.micros);
  });
});
