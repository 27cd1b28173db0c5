import { expect, it } from 'vitest';
import type { UpstreamSource } from '../../src/errors.js';
import type { Stack } from './stack.js';

export interface CredentialCases {
  stack: () => Stack;
  source: UpstreamSource;
  /** A query whose only root field is `field`, and the variables it runs with. */
  query: string;
  field: string;
  variables: () => Record<string, unknown>;
  /** The source's demo key, a key the upstream refuses, and the other source's key alone. */
  ownKey: Record<string, string>;
  refusedKey: Record<string, string>;
  otherSourceOnly: Record<string, string>;
  /** The header that carries this source's key beside another source's `Authorization`. */
  sourceHeader: string;
}

/**
 * What every connection does with its source's credential: forwards it unchanged, fails alone
 * with UNAUTHENTICATED and no upstream call without it, and never echoes a refused one.
 */
export function credentialCases(cases: CredentialCases): void {
  const calls = () => cases.stack().emulator.calls({ source: cases.source });
  const ask = (headers: Record<string, string>) =>
    cases.stack().graphql(cases.query, cases.variables(), headers);

  it(`forwards Authorization unchanged`, async () => {
    const response = await ask(cases.ownKey);
    expect(response.errors).toBeUndefined();
    expect(calls()[0]!.authorization).toBe(cases.ownKey.authorization);
  });

  it.each([
    ['no header at all', {}],
    [`only the other source's key`, cases.otherSourceOnly],
    [`an empty ${cases.sourceHeader}`, { [cases.sourceHeader]: '' }],
  ])('fails the field alone with UNAUTHENTICATED and no upstream call: %s', async (_, headers) => {
    const response = await ask(headers);
    expect(response.data).toEqual({ [cases.field]: null });
    expect(response.errors).toHaveLength(1);
    expect(response.errors![0]!.extensions).toMatchObject({
      code: 'UNAUTHENTICATED',
      source: cases.source,
    });
    expect(response.errors![0]!.path).toEqual([cases.field]);
    expect(calls()).toHaveLength(0);
  });

  it('maps a key the upstream refuses to UNAUTHENTICATED and never echoes the key', async () => {
    const response = await ask(cases.refusedKey);
    expect(response.errors![0]!.extensions).toMatchObject({
      code: 'UNAUTHENTICATED',
      source: cases.source,
      upstreamStatus: 401,
    });
    expect(JSON.stringify(response)).not.toContain('wrong-secret');
  });
}
