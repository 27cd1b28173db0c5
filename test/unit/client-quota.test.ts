import { describe, expect, it } from 'vitest';
import { ClientQuota } from '../../src/live/client-quota.js';

describe('ClientQuota', () => {
  it('refuses a hold that would take any of its keys past the limit, and holds nothing then', () => {
    const quota = new ClientQuota(2);
    const a = quota.hold(['key:1', 'address:x']);
    const b = quota.hold(['key:2', 'address:x']);
    expect(a && b).toBeTypeOf('function');
    expect(quota.hold(['key:3', 'address:x'])).toBeUndefined();
    // The refused hold took nothing from key:3.
    expect(quota.hold(['key:3', 'address:y'])).toBeTypeOf('function');
    expect(quota.hold(['key:3', 'address:z'])).toBeTypeOf('function');
    expect(quota.hold(['key:3', 'address:w'])).toBeUndefined();
  });

  it('gives a place back once per hold, however often it is released', () => {
    const quota = new ClientQuota(2);
    const first = quota.hold(['key:1', 'key:1'])!;
    expect(quota.hold(['key:1'])).toBeTypeOf('function');
    first();
    first();
    expect(quota.hold(['key:1'])).toBeTypeOf('function');
    expect(quota.hold(['key:1'])).toBeUndefined();
  });
});
