import { describe, expect, it } from 'vitest';
import { falLogHistoryPageSchema } from '../../src/upstreams/fal/types.js';

const line = (labels: unknown) => ({
  timestamp: '2025-09-19T12:16:10.599608Z',
  level: 'info',
  message: 'hello',
  app: 'acme/flux',
  revision: 'r1',
  labels,
});
const page = (...items: unknown[]) => ({ items, next_cursor: null, has_more: false });

describe('a fal log history page', () => {
  it.each([
    ['string labels', { fal_request_id: 'req-1', fal_job_id: 'job-1' }],
    ['no labels', {}],
    ['null labels', null],
  ])('reads lines with %s as they came', (_name, labels) => {
    const parsed = falLogHistoryPageSchema.parse(page(line(labels)));
    expect(parsed.items[0]!.labels).toEqual(labels);
  });

  it.each([
    ['a label that is not a string', { fal_request_id: 7 }],
    ['labels that are a list', ['req-1']],
    ['labels that are a string', 'req-1'],
  ])('refuses %s, naming the line', (_name, labels) => {
    const parsed = falLogHistoryPageSchema.safeParse(page(line({}), line(labels)));
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues[0]!.path).toEqual(['items', 1, 'labels']);
  });
});
