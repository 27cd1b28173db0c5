import SchemaBuilder from '@pothos/core';
import DataloaderPlugin from '@pothos/plugin-dataloader';
import RelayPlugin, { decodeGlobalID } from '@pothos/plugin-relay';
import ValidationPlugin, { type StandardSchemaV1 } from '@pothos/plugin-validation';
import { GraphQLError, Kind, print, type ASTNode, type ValueNode } from 'graphql';
import type { GatewayContext } from '../context.js';
import { parseInstant, type Instant } from '../time.js';

/** Types implementing Node, filled in when the schema is built. */
const nodeTypeNames = new Set<string>();

export function registerNodeTypes(names: Iterable<string>): void {
  for (const name of names) nodeTypeNames.add(name);
}

/** A global id of one of this schema's nodes, or BAD_USER_INPUT naming the argument. */
function decodeOwnGlobalID(globalID: string) {
  let decoded: ReturnType<typeof decodeGlobalID> | undefined;
  try {
    decoded = decodeGlobalID(globalID);
  } catch {
    decoded = undefined;
  }
  if (!decoded || !nodeTypeNames.has(decoded.typename)) {
    throw new GraphQLError(`id: ${JSON.stringify(globalID)} is not a global id of this gateway`, {
      extensions: { code: 'BAD_USER_INPUT', field: 'id' },
    });
  }
  return decoded;
}

/**
 * BAD_USER_INPUT naming each invalid argument by its path from the argument (`first`,
 * `filter.until`) and saying what is wrong with it.
 */
export function invalidArguments(
  issues: readonly StandardSchemaV1.Issue[],
  nodes?: ASTNode | readonly ASTNode[],
): GraphQLError {
  const problems = issues.map((issue) => {
    const path = (issue.path ?? [])
      .map((segment) => (typeof segment === 'object' ? segment.key : segment))
      .map(String)
      .join('.');
    return path ? `${path}: ${issue.message}` : issue.message;
  });
  return new GraphQLError(`Invalid argument ${problems.join('; ')}`, {
    nodes,
    extensions: { code: 'BAD_USER_INPUT' },
  });
}

export const builder = new SchemaBuilder<{
  Context: GatewayContext;
  Scalars: {
    ID: { Input: string; Output: string };
    DateTime: { Input: Instant; Output: string };
    JSON: { Input: unknown; Output: unknown };
  };
  DefaultFieldNullability: false;
  DefaultEdgesNullability: { list: false; items: false };
  DefaultNodeNullability: false;
}>({
  plugins: [RelayPlugin, DataloaderPlugin, ValidationPlugin],
  defaultFieldNullability: false,
  relay: {
    cursorType: 'String',
    decodeGlobalID: decodeOwnGlobalID,
    edgesFieldOptions: { nullable: { list: false, items: false } },
    nodeFieldOptions: { nullable: false },
  },
  validation: { validationError: (failure) => invalidArguments(failure.issues) },
});

builder.queryType({});
builder.subscriptionType({});

/** A DateTime from a variable's value, or from a literal (`node`, which locates the error). */
function parseDateTime(value: unknown, node?: ValueNode): Instant {
  const instant = typeof value === 'string' ? parseInstant(value) : undefined;
  if (!instant) {
    const given = node ? print(node) : JSON.stringify(value);
    throw new GraphQLError(`DateTime must be an ISO-8601 date-time or YYYY-MM-DD, got ${given}`, {
      nodes: node,
      extensions: { code: 'BAD_USER_INPUT' },
    });
  }
  return instant;
}

builder.scalarType('DateTime', {
  description:
    'An instant. Output: ISO-8601 in UTC with milliseconds (microseconds when the source has them). Input: ISO-8601 (a value without zone is UTC) or YYYY-MM-DD (midnight UTC).',
  serialize: (value) => value,
  parseValue: parseDateTime,
  parseLiteral: (node) => parseDateTime(node.kind === Kind.STRING ? node.value : undefined, node),
});

function literalToJson(node: ValueNode): unknown {
  switch (node.kind) {
    case Kind.STRING:
    case Kind.BOOLEAN:
    case Kind.ENUM:
      return node.value;
    case Kind.INT:
    case Kind.FLOAT:
      return Number(node.value);
    case Kind.NULL:
      return null;
    case Kind.LIST:
      return node.values.map(literalToJson);
    case Kind.OBJECT:
      return Object.fromEntries(node.fields.map((f) => [f.name.value, literalToJson(f.value)]));
    case Kind.VARIABLE:
      throw new GraphQLError('JSON literals cannot contain variables', {
        nodes: node,
        extensions: { code: 'BAD_USER_INPUT' },
      });
  }
}

builder.scalarType('JSON', {
  description: 'Any JSON value, passed through as the upstream sent it.',
  serialize: (value) => value,
  parseValue: (value) => value,
  parseLiteral: literalToJson,
});
