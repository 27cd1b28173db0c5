import { afterAll, beforeAll, expect, it } from 'vitest';
import { FAL_AUTH, startStack, type Stack } from '../support/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.close());

const base64 = (text: string) => Buffer.from(text).toString('base64');

it.each([
  ['not base64', '%%%'],
  ['base64 without a type', base64('justsomething')],
  ['a type that is not a node here', base64('Nope:1')],
  ['a type that does not exist', base64('FalLogLine:1')],
])('refuses a node id that is %s with BAD_USER_INPUT and no upstream call', async (_, id) => {
  stack.emulator.resetCalls();
  const response = await stack.graphql(
    `query ($id: ID!) { node(id: $id) { id } nodes(ids: [$id]) { id } }`,
    { id },
    FAL_AUTH,
  );
  expect(response.errors).toHaveLength(2);
  for (const error of response.errors!) {
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(error.message).toMatch(/^id: /);
  }
  expect(stack.emulator.calls()).toEqual([]);
});
