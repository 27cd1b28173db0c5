import {
  ValuesOfCorrectTypeRule,
  visitInParallel,
  type ArgumentNode,
  type ASTVisitor,
  type GraphQLError,
  type ObjectFieldNode,
  type ValidationContext,
  type validate,
  type ValidationRule,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { invalidArguments } from '../schema/builder.js';

/**
 * graphql-js's check of literal argument values, with each report naming the argument it is
 * about (`filter.since`) and located at it. graphql-js itself says only what is wrong with the
 * value (`DateTime must be …`), and a scalar's own error may come without a location.
 */
const ArgumentValuesOfCorrectTypeRule: ValidationRule = (context): ASTVisitor => {
  /** The argument and the input object fields from it down to the value being checked. */
  const path: Array<ArgumentNode | ObjectFieldNode> = [];
  const naming = Object.create(context, {
    reportError: {
      value(error: GraphQLError) {
        const innermost = path.at(-1);
        if (!innermost) return context.reportError(error);
        const argument = path.map((node) => node.name.value);
        context.reportError(
          invalidArguments([{ message: error.message, path: argument }], error.nodes ?? innermost),
        );
      },
    },
  }) as ValidationContext;
  const track = {
    enter: (node: ArgumentNode | ObjectFieldNode) => void path.push(node),
    leave: () => void path.pop(),
  };
  return visitInParallel([
    { Argument: track, ObjectField: track },
    ValuesOfCorrectTypeRule(naming),
  ]);
};

/** Every literal argument value of the wrong type is reported naming its argument. */
export function useArgumentNamingErrors(): Plugin {
  return {
    onValidate({ validateFn, setValidationFn }) {
      const validateWith: typeof validate = validateFn;
      const namingArguments: typeof validate = (schema, document, rules, ...rest) =>
        validateWith(
          schema,
          document,
          rules?.map((rule) =>
            rule === ValuesOfCorrectTypeRule ? ArgumentValuesOfCorrectTypeRule : rule,
          ),
          ...rest,
        );
      setValidationFn(namingArguments);
    },
  };
}
