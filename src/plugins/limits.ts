import type { QueryLimits } from '../config.js';
import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { costLimitRule } from '@escape.tech/graphql-armor-cost-limit';
import {
  getArgumentValues,
  getOperationAST,
  getVariableValues,
  GraphQLError,
  Kind,
  TypeInfo,
  validate,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type ExecutionArgs,
  type FieldNode,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLSchema,
  type ValidationContext,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { StandardSchemaV1 } from '@pothos/plugin-validation';
import { invalidArguments } from '../schema/builder.js';

/** graphql-armor words every refusal as a syntax error; it is an input error like any other. */
function refusal(armorError: GraphQLError): GraphQLError {
  return new GraphQLError(armorError.message.replace(/^Syntax Error: /, ''), {
    extensions: { code: 'BAD_USER_INPUT' },
  });
}

function reportRefusal(context: ValidationContext | null, armorError: GraphQLError): void {
  // The token limit is checked while parsing, where there is no validation context to report to.
  if (!context) throw refusal(armorError);
  context.reportError(refusal(armorError));
}

const REFUSALS = { onReject: [reportRefusal], propagateOnRejection: false };

/**
 * Arguments whose value says how many items a field returns: a page size, a list of ids, or the
 * lines around a log line (`context(before, after)`).
 */
const SIZE_ARGUMENTS = new Set(['first', 'ids', 'before', 'after']);

function sizeOf(value: unknown): number | undefined {
  if (Array.isArray(value)) return value.length;
  return typeof value === 'number' ? value : undefined;
}

interface SizedField {
  field: GraphQLField<unknown, unknown>;
  node: FieldNode;
}

/** The fields of a document that take a list size, in document order. */
function sizedFields(schema: GraphQLSchema, document: DocumentNode): SizedField[] {
  const typeInfo = new TypeInfo(schema);
  const found: SizedField[] = [];
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field(node) {
        const field = typeInfo.getFieldDef();
        if (field?.args.some((argument) => SIZE_ARGUMENTS.has(argument.name))) {
          found.push({ field, node });
        }
      },
    }),
  );
  return found;
}

/**
 * The list size a field will really use: a literal, a variable, a variable's default, the
 * argument's default, or the length of `ids`.
 */
function listSize({ field }: SizedField, values: Record<string, unknown>) {
  const pageSizeDefault = field.args.find((argument) => argument.name === 'first');
  const around =
    typeof values.before === 'number' && typeof values.after === 'number'
      ? values.before + values.after
      : undefined;
  return sizeOf(values.first ?? pageSizeDefault?.defaultValue) ?? sizeOf(values.ids) ?? around;
}

type ValidatedArgument = GraphQLArgument & {
  extensions: { '@pothos/plugin-validation'?: { schemas?: StandardSchemaV1[] } };
};

/**
 * Size arguments outside their own range (the argument's validation schemas: `first` of
 * `falLogs` is 1 to 5000), each refused naming the argument, so that a page too large is
 * reported as such rather than as a query too expensive.
 */
function sizeArgumentErrors(
  { field, node }: SizedField,
  values: Record<string, unknown>,
): GraphQLError[] {
  return field.args.flatMap((argument: ValidatedArgument) => {
    const value = values[argument.name];
    if (!SIZE_ARGUMENTS.has(argument.name) || value === undefined) return [];
    const issues = (argument.extensions['@pothos/plugin-validation']?.schemas ?? []).flatMap(
      (schema) => {
        const result = schema['~standard'].validate(value);
        // An asynchronous schema is left to the resolver, which runs it before any upstream call.
        return result instanceof Promise ? [] : (result.issues ?? []);
      },
    );
    if (issues.length === 0) return [];
    const argumentNode = node.arguments?.find(({ name }) => name.value === argument.name);
    return [
      invalidArguments(
        issues.map((issue) => ({ ...issue, path: [argument.name, ...(issue.path ?? [])] })),
        argumentNode ?? node,
      ),
    ];
  });
}

/**
 * graphql-armor prices a field's subtree times its literal `first`. This writes the sizes the
 * execution will use into the document as literal `first` arguments, so the price is the real one.
 */
function withListSizes(
  document: DocumentNode,
  fields: SizedField[],
  sizes: (number | undefined)[],
): DocumentNode {
  const sizeByNode = new Map(fields.map(({ node }, i) => [node, sizes[i]]));
  return visit(document, {
    Field(node): FieldNode | undefined {
      const size = sizeByNode.get(node);
      if (size === undefined) return undefined;
      return {
        ...node,
        arguments: [
          ...(node.arguments ?? []).filter((argument) => argument.name.value !== 'first'),
          {
            kind: Kind.ARGUMENT,
            name: { kind: Kind.NAME, value: 'first' },
            value: { kind: Kind.INT, value: String(size) },
          },
        ],
      };
    },
  });
}

/** List sizes remembered as within the limit, per document. */
const ACCEPTED_SIZES_PER_DOCUMENT = 64;

/**
 * Refuses a size argument out of its range, then prices each operation with the variables it
 * runs with, so a page size passed as a variable or left at its default cannot slip past the
 * cost limit. Variables that do not coerce are left to the execution, which refuses them
 * before any resolver runs. The price depends only on the document and its list sizes, so an
 * accepted price is remembered for those (a client paging with `after` is priced once).
 */
function useQueryCostLimit(maxCost: number): Plugin {
  const rule = costLimitRule({
    maxCost,
    objectCost: 1,
    scalarCost: 1,
    depthCostFactor: 1,
    flattenFragments: true,
    ...REFUSALS,
  });
  const documents = new WeakMap<
    DocumentNode,
    { fields: SizedField[]; acceptedSizes: Set<string> }
  >();
  const check = ({
    args,
    setResultAndStopExecution,
  }: {
    args: ExecutionArgs;
    setResultAndStopExecution: (result: { errors: readonly GraphQLError[] }) => void;
  }) => {
    const operation = getOperationAST(args.document, args.operationName);
    if (!operation) return;
    const variables = getVariableValues(
      args.schema,
      operation.variableDefinitions ?? [],
      args.variableValues ?? {},
    );
    if (!variables.coerced) return;
    let known = documents.get(args.document);
    if (!known) {
      known = { fields: sizedFields(args.schema, args.document), acceptedSizes: new Set() };
      documents.set(args.document, known);
    }
    const values = known.fields.map(({ field, node }) =>
      getArgumentValues(field, node, variables.coerced),
    );
    const sizes = known.fields.map((field, i) => listSize(field, values[i]!));
    const key = sizes.join(',');
    if (known.acceptedSizes.has(key)) return;
    const outOfRange = known.fields.flatMap((field, i) => sizeArgumentErrors(field, values[i]!));
    if (outOfRange.length > 0) {
      setResultAndStopExecution({ errors: outOfRange });
      return;
    }
    const errors = validate(args.schema, withListSizes(args.document, known.fields, sizes), [rule]);
    if (errors.length > 0) {
      setResultAndStopExecution({ errors });
      return;
    }
    if (known.acceptedSizes.size >= ACCEPTED_SIZES_PER_DOCUMENT) known.acceptedSizes.clear();
    known.acceptedSizes.add(key);
  };
  return { onExecute: check, onSubscribe: check };
}

/**
 * graphql-armor's limits on query shape (depth, aliases, directives, tokens) checked while
 * parsing and validating, and its cost limit checked with the variables before execution; a
 * refused query gets BAD_USER_INPUT and reaches no resolver. Field suggestions in error
 * messages are withheld when the schema is not meant to be explored.
 */
export function useQueryLimits(limits: QueryLimits, options: { hideSchema: boolean }): Plugin[] {
  return [
    EnvelopArmorPlugin({
      maxDepth: { n: limits.maxDepth, flattenFragments: true, ...REFUSALS },
      maxAliases: { n: limits.maxAliases, ...REFUSALS },
      maxDirectives: { n: limits.maxDirectives, ...REFUSALS },
      maxTokens: { n: limits.maxTokens, ...REFUSALS },
      costLimit: { enabled: false },
      blockFieldSuggestion: { enabled: options.hideSchema },
    }),
    useQueryCostLimit(limits.maxCost),
  ];
}
