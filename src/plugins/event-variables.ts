import { getOperationAST, Kind, visit, type ArgumentNode, type DocumentNode } from 'graphql';

/**
 * The variables a subscription's execution may read for each event beyond those the event's
 * topic fixes: every variable the document uses, but in the arguments of the operation's root
 * field. Those arguments choose the source, and subscribers handed the same event object share
 * its topic, so they agree on what of them the topic holds (a tail's filter and end). What they
 * may differ in (where a replay started) no resolver reads for a result that is shared:
 * `FalLogLine.request` reads the root `filter.appIds`, part of a tail's topic, and the root
 * resolvers read their arguments only to explain a failure, whose result is never shared.
 * Undefined (every variable counts) when the operation's root fields cannot be told from its
 * text (a fragment at its top).
 */
export function variablesReadPerEvent(
  document: DocumentNode,
  operationName: string | null | undefined,
): ReadonlySet<string> | undefined {
  const operation = getOperationAST(document, operationName);
  if (!operation) return undefined;
  const rootArguments = new Set<ArgumentNode>();
  for (const selection of operation.selectionSet.selections) {
    if (selection.kind !== Kind.FIELD) return undefined;
    for (const argument of selection.arguments ?? []) rootArguments.add(argument);
  }
  const read = new Set<string>();
  visit(document, {
    VariableDefinition: () => false,
    Argument: (node) => (rootArguments.has(node) ? false : undefined),
    Variable: (node) => void read.add(node.name.value),
  });
  return read;
}
