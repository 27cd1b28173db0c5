import {
  getArgumentValues,
  getDirectiveValues,
  getNamedType,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  isAbstractType,
  isObjectType,
  Kind,
  type FieldNode,
  type GraphQLNamedType,
  type GraphQLResolveInfo,
  type SelectionSetNode,
} from 'graphql';

/**
 * The names of the fields selected on objects of type `typeName` reached from the current field
 * through `path` (schema field names, whatever their aliases): fragments count when their type
 * condition applies, and @skip/@include are honoured.
 */
export function selectedFieldNames(
  info: GraphQLResolveInfo,
  path: readonly string[],
  typeName: string,
): Set<string> {
  const target = info.schema.getType(typeName);
  if (!target) throw new Error(`Unknown type ${typeName}`);
  let type: GraphQLNamedType = path.length === 0 ? target : getNamedType(info.returnType);
  let fields: FieldNode[] = [...info.fieldNodes];
  path.forEach((name, depth) => {
    const children = collectFields(info, selectionSetsOf(fields), type);
    fields = children.filter((field) => field.name.value === name);
    const fieldType = isObjectType(type) ? type.getFields()[name]?.type : undefined;
    if (!fieldType) throw new Error(`${type.name} has no field ${name}`);
    type = depth === path.length - 1 ? target : getNamedType(fieldType);
  });
  return new Set(collectFields(info, selectionSetsOf(fields), type).map((f) => f.name.value));
}

/**
 * The arguments of the root field the current field sits under, as its resolver got them. Under a
 * subscription, a result is shared by subscribers of one topic whose root arguments may differ
 * in what the topic does not fix (`since`; see `variablesReadPerEvent`): read only what it fixes.
 */
export function rootFieldArguments(info: GraphQLResolveInfo): Record<string, unknown> {
  let root = info.path;
  while (root.prev) root = root.prev;
  const rootType = info.schema.getRootType(info.operation.operation);
  if (!rootType) return {};
  const node = collectFields(info, [info.operation.selectionSet], rootType).find(
    (field) => (field.alias ?? field.name).value === root.key,
  );
  const definition = node && rootType.getFields()[node.name.value];
  return node && definition ? getArgumentValues(definition, node, info.variableValues) : {};
}

function selectionSetsOf(fields: readonly FieldNode[]): SelectionSetNode[] {
  return fields.flatMap((field) => (field.selectionSet ? [field.selectionSet] : []));
}

function collectFields(
  info: GraphQLResolveInfo,
  selectionSets: readonly SelectionSetNode[],
  type: GraphQLNamedType,
): FieldNode[] {
  const fields: FieldNode[] = [];
  const visit = (selectionSet: SelectionSetNode) => {
    for (const selection of selectionSet.selections) {
      if (!included(info, selection)) continue;
      if (selection.kind === Kind.FIELD) {
        fields.push(selection);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        if (applies(info, selection.typeCondition?.name.value, type)) visit(selection.selectionSet);
      } else {
        const fragment = info.fragments[selection.name.value];
        if (fragment && applies(info, fragment.typeCondition.name.value, type)) {
          visit(fragment.selectionSet);
        }
      }
    }
  };
  selectionSets.forEach(visit);
  return fields;
}

function included(
  info: GraphQLResolveInfo,
  node: Parameters<typeof getDirectiveValues>[1],
): boolean {
  const skip = getDirectiveValues(GraphQLSkipDirective, node, info.variableValues);
  if (skip?.if === true) return false;
  const include = getDirectiveValues(GraphQLIncludeDirective, node, info.variableValues);
  return include?.if !== false;
}

/** Whether a fragment with this type condition applies to objects of `type`. */
function applies(
  info: GraphQLResolveInfo,
  condition: string | undefined,
  type: GraphQLNamedType,
): boolean {
  if (condition === undefined || condition === type.name) return true;
  const conditionType = info.schema.getType(condition);
  if (!conditionType || !isAbstractType(conditionType)) return false;
  // A fragment on an abstract type met on the way to the target may apply: count it.
  return !isObjectType(type) || info.schema.isSubType(conditionType, type);
}
