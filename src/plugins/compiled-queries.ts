import {
  getOperationAST,
  getVariableValues,
  GraphQLError,
  OperationTypeNode,
  valueFromASTUntyped,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type OperationDefinitionNode,
  type Source,
  type SourceLocation,
  type VariableDefinitionNode,
} from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';
import type { Plugin } from 'graphql-yoga';

/** Not compiled yet: run once on the standard executor. */
const SEEN_ONCE = Symbol('seen once');

/** A compiled operation, or undefined for one graphql-jit could not compile. */
type Compiled = CompiledQuery | undefined;

/**
 * Runs queries through graphql-jit, which compiles a document into plain JavaScript: a page of
 * lines then costs a few property reads per field instead of the general executor's walk. A
 * document is compiled when it runs a second time, so a flood of one-off documents costs no
 * compiling. What a client sees stays the standard executor's: it still refuses bad variables,
 * and errors are rebuilt as its errors. A document graphql-jit cannot compile, and every
 * subscription, runs on the standard executor.
 */
export function useCompiledQueries(): Plugin {
  const byDocument = new WeakMap<
    DocumentNode,
    Map<string | undefined, Compiled | typeof SEEN_ONCE>
  >();

  function compiledFor(args: ExecutionArgs): Compiled {
    let byOperation = byDocument.get(args.document);
    if (!byOperation) {
      byOperation = new Map();
      byDocument.set(args.document, byOperation);
    }
    const name = args.operationName ?? undefined;
    if (!byOperation.has(name)) {
      byOperation.set(name, SEEN_ONCE);
      return undefined;
    }
    const known = byOperation.get(name);
    if (known !== SEEN_ONCE) return known;
    const result = compileQuery(args.schema, args.document, name, {
      disablingCapturingStackErrors: true,
    });
    const compiled = isCompiledQuery(result) ? result : undefined;
    byOperation.set(name, compiled);
    return compiled;
  }

  const onExecute = ({
    args,
    executeFn,
    setExecuteFn,
  }: {
    args: ExecutionArgs;
    executeFn: StandardExecute;
    setExecuteFn: (execute: StandardExecute) => void;
  }) => {
    const operation = getOperationAST(args.document, args.operationName);
    if (operation?.operation !== OperationTypeNode.QUERY) return;
    const compiled = compiledFor(args);
    if (!compiled) return;
    setExecuteFn((executionArgs) => runCompiled(compiled, operation, executionArgs, executeFn));
  };
  return { onExecute };
}

type StandardExecute = (args: ExecutionArgs) => ExecutionResult | Promise<ExecutionResult>;

function runCompiled(
  compiled: CompiledQuery,
  operation: OperationDefinitionNode,
  args: ExecutionArgs,
  standardExecute: StandardExecute,
): ExecutionResult | Promise<ExecutionResult> {
  const definitions = operation.variableDefinitions ?? [];
  const given = args.variableValues ?? {};
  // Variables that do not coerce are refused by the standard executor, in its own words.
  if (getVariableValues(args.schema, definitions, given).errors) return standardExecute(args);
  const source = args.document.loc?.source;
  const answer = (result: ExecutionResult) => withExecutorErrors(result, source);
  const result = compiled.query(
    args.rootValue,
    args.contextValue,
    withDefaults(definitions, given),
  );
  return result instanceof Promise ? result.then(answer) : answer(result);
}

/** graphql-jit refuses a missing non-null variable even when the operation gives it a default. */
function withDefaults(
  definitions: readonly VariableDefinitionNode[],
  given: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const variables = { ...given };
  for (const { variable, defaultValue } of definitions) {
    const name = variable.name.value;
    if (defaultValue && variables[name] === undefined) {
      variables[name] = valueFromASTUntyped(defaultValue);
    }
  }
  return variables;
}

/**
 * graphql-jit's errors are not graphql-js's: they lose their locations on the way out, and its
 * own findings (a null in a non-null field) have no cause, which would show them to the client
 * unmasked. Rebuilt as the standard executor builds them, they are masked and located alike.
 */
function withExecutorErrors(result: ExecutionResult, source: Source | undefined): ExecutionResult {
  if (!result.errors) return result;
  const errors = result.errors.map(
    (error) =>
      new GraphQLError(error.message, {
        source,
        positions: source && error.locations?.map((location) => positionOf(source, location)),
        path: error.path,
        originalError: error.originalError ?? new Error(error.message),
        extensions: error.extensions,
      }),
  );
  return { ...result, errors };
}

/** The character offset of a line and column (both from 1) in a query's text. */
function positionOf(source: Source, { line, column }: SourceLocation): number {
  let offset = 0;
  for (let current = 1; current < line; current += 1) {
    offset = source.body.indexOf('\n', offset) + 1;
  }
  return offset + column - 1;
}
