import { describe, expect, it } from 'vitest';
import { credentialsFrom } from '../../src/context.js';

const from = (headers: Record<string, string>) => credentialsFrom(new Headers(headers));

describe('credentialsFrom', () => {
  it('sends Authorization: Key to fal and Bearer to Dify', () => {
    expect(from({ authorization: 'Key abc:def' })).toEqual({ fal: 'Key abc:def' });
    expect(from({ authorization: 'Bearer app-1' })).toEqual({ dify: 'Bearer app-1' });
  });

  it('lets the per-upstream headers win and carry both at once', () => {
    expect(
      from({
        authorization: 'Key plain',
        'x-fal-authorization': 'Key specific',
        'x-dify-authorization': 'Bearer app-2',
      }),
    ).toEqual({ fal: 'Key specific', dify: 'Bearer app-2' });
  });

  it('finds nothing in other schemes or empty headers', () => {
    expect(from({ authorization: 'Basic dXNlcg==' })).toEqual({});
    expect(from({ 'x-fal-authorization': '  ' })).toEqual({});
  });
});
