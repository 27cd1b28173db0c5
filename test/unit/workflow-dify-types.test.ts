import { describe, expect, it } from 'vitest';
import {
  difyInstant,
  difyWorkflowLogsPageSchema,
  difyWorkflowRunDetailSchema,
} from '../../src/upstreams/dify/types.js';

describe('Dify timestamps', () => {
  it.each([
    [1705407629, '2024-01-16T12:20:29.000Z'],
    [1705407629.25, '2024-01-16T12:20:29.250Z'],
    ['1705407629', '2024-01-16T12:20:29.000Z'],
    [' 1705407629.5 ', '2024-01-16T12:20:29.500Z'],
    ['2024-01-16T12:20:29', '2024-01-16T12:20:29.000Z'],
    ['2024-01-16 12:20:29.123456', '2024-01-16T12:20:29.123456Z'],
    ['2024-01-16T13:20:29+01:00', '2024-01-16T12:20:29.000Z'],
  ])('reads %j as %s', (value, iso) => {
    expect(difyInstant(value)?.iso).toBe(iso);
  });

  it.each(['yesterday', '', '17054076e9', '2024-13-01T00:00:00Z'])('refuses %j', (value) => {
    expect(difyInstant(value)).toBeUndefined();
  });

  it('fails a logs page whose row has no readable created_at, naming the field', () => {
    const page = (createdAt: unknown) => ({
      page: 1,
      limit: 1,
      total: 1,
      has_more: false,
      data: [{ id: 'a', workflow_run: null, created_at: createdAt }],
    });
    expect(difyWorkflowLogsPageSchema.parse(page('1705407629')).data[0]!.created_at.iso).toBe(
      '2024-01-16T12:20:29.000Z',
    );
    const failed = difyWorkflowLogsPageSchema.safeParse(page('soon'));
    expect(failed.error?.issues[0]?.path).toEqual(['data', 0, 'created_at']);
  });
});

describe('Dify run detail inputs', () => {
  const detail = (inputs: unknown) =>
    difyWorkflowRunDetailSchema.parse({
      id: 'r',
      status: 'succeeded',
      inputs,
      outputs: {},
      created_at: 1705407629,
    }).inputs;

  it('parses the JSON document Dify sends as a string, escapes and all', () => {
    expect(detail('{"query": "caf\\u00e9", "n": 2}')).toEqual({ query: 'café', n: 2 });
  });

  it('keeps a string that does not parse as that string', () => {
    expect(detail('{"query": "cut off')).toBe('{"query": "cut off');
  });

  it('passes an object through and reads a missing value as null', () => {
    expect(detail({ query: 'x' })).toEqual({ query: 'x' });
    expect(detail(null)).toBeNull();
    expect(detail(undefined)).toBeNull();
  });
});
