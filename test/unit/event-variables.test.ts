import { parse } from 'graphql';
import { expect, it } from 'vitest';
import { variablesReadPerEvent } from '../../src/plugins/event-variables.js';

const read = (text: string, operationName?: string) => {
  const variables = variablesReadPerEvent(parse(text), operationName);
  return variables && [...variables].sort();
};

it('leaves out what only the root field’s arguments use: they choose the source', () => {
  expect(
    read(`subscription ($filter: FalLogFilter, $key: String!, $show: Boolean = true) {
      falLogs(filter: $filter) { message label(key: $key) @include(if: $show) }
    }`),
  ).toEqual(['key', 'show']);
});

it('keeps a variable the root field’s arguments share with a field below, and those of fragments', () => {
  expect(
    read(`subscription ($key: String!, $other: String!) {
      falLogs(filter: { labels: [{ key: $key, values: ["a"] }] }) { label(key: $key) ...More }
    }
    fragment More on FalLogLine { other: label(key: $other) }`),
  ).toEqual(['key', 'other']);
});

it('counts every variable when the operation’s root field sits in a fragment, or is unknown', () => {
  expect(
    read(`subscription ($filter: FalLogFilter) { ...Tail }
    fragment Tail on Subscription { falLogs(filter: $filter) { message } }`),
  ).toBeUndefined();
  expect(read('subscription A { falLogs { message } }', 'B')).toBeUndefined();
});
