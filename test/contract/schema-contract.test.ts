import { readFileSync } from 'node:fs';
import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  isScalarType,
  Kind,
  parse,
  print,
  type GraphQLField,
  type GraphQLInputField,
  type GraphQLNamedType,
  type TypeNode,
} from 'graphql';
import { describe, expect, it } from 'vitest';
import { schema } from '../../src/schema/index.js';

const contract = parse(readFileSync(new URL('schema-contract.graphql', import.meta.url), 'utf8'));

/** The contract's type, or ours made no stricter on input and no looser on output. */
function accepts(ours: string, promised: TypeNode, direction: 'input' | 'output'): boolean {
  const wanted = print(promised);
  if (ours === wanted) return true;
  // An output may promise more (non-null where the contract allows null), never less.
  return (
    direction === 'output' &&
    ours.replace(/!/g, '') === wanted.replace(/!/g, '') &&
    ours.length > wanted.length
  );
}

describe('the schema keeps every name of the contract', () => {
  for (const definition of contract.definitions) {
    if (!('name' in definition) || !definition.name) continue;
    const name = definition.name.value;
    it(`${definition.kind.replace('Definition', '').replace('TypeExtension', '')} ${name}`, () => {
      const type: GraphQLNamedType | undefined | null = schema.getType(name);
      expect(type, `${name} is missing`).toBeTruthy();
      if (definition.kind === Kind.SCALAR_TYPE_DEFINITION) expect(isScalarType(type)).toBe(true);
      if (definition.kind === Kind.ENUM_TYPE_DEFINITION) {
        expect(isEnumType(type)).toBe(true);
        const values = isEnumType(type) ? type.getValues().map((value) => value.name) : [];
        for (const value of definition.values ?? []) expect(values).toContain(value.name.value);
      }
      if (
        definition.kind === Kind.OBJECT_TYPE_DEFINITION ||
        definition.kind === Kind.INTERFACE_TYPE_DEFINITION ||
        definition.kind === Kind.INPUT_OBJECT_TYPE_DEFINITION
      ) {
        const input = definition.kind === Kind.INPUT_OBJECT_TYPE_DEFINITION;
        expect(input ? isInputObjectType(type) : isObjectType(type) || isInterfaceType(type)).toBe(
          true,
        );
        const fields = (
          type as {
            getFields(): Record<string, GraphQLField<unknown, unknown> | GraphQLInputField>;
          }
        ).getFields();
        for (const field of definition.fields ?? []) {
          const ours = fields[field.name.value];
          expect(ours, `${name}.${field.name.value} is missing`).toBeTruthy();
          expect(
            accepts(String(ours!.type), field.type, input ? 'input' : 'output'),
            `${name}.${field.name.value}: ${String(ours!.type)} does not keep ${print(field.type)}`,
          ).toBe(true);
          if (field.kind === Kind.FIELD_DEFINITION) {
            const args = 'args' in ours! ? ours.args : [];
            for (const arg of field.arguments ?? []) {
              const ourArg = args.find((each) => each.name === arg.name.value);
              expect(
                ourArg,
                `${name}.${field.name.value}(${arg.name.value}) is missing`,
              ).toBeTruthy();
              expect(print(arg.type)).toBe(String(ourArg!.type));
            }
          }
        }
        if ('interfaces' in definition) {
          const implemented = isObjectType(type)
            ? type.getInterfaces().map((each) => each.name)
            : [];
          for (const each of definition.interfaces ?? [])
            expect(implemented).toContain(each.name.value);
        }
      }
    });
  }

  it('gives every connection Relay edges, page info, and workflowLogs a totalCount', () => {
    const connections = Object.values(schema.getTypeMap()).filter(
      (type) => isObjectType(type) && type.name.endsWith('Connection'),
    );
    expect(connections.map((type) => type.name).sort()).toEqual(
      [
        'FalLogConnection',
        'FalRequestConnection',
        'TimelineConnection',
        'WorkflowLogConnection',
      ].sort(),
    );
    for (const connection of connections) {
      if (!isObjectType(connection)) continue;
      const edge = getNamedType(connection.getFields().edges!.type);
      // A timeline edge also says when its event happened and where it comes from.
      const edgeFields =
        connection.name === 'TimelineConnection'
          ? ['at', 'cursor', 'node', 'source']
          : ['cursor', 'node'];
      expect(isObjectType(edge) && Object.keys(edge.getFields()).sort()).toEqual(edgeFields);
      const pageInfo = getNamedType(connection.getFields().pageInfo!.type);
      expect(isObjectType(pageInfo) && Object.keys(pageInfo.getFields()).sort()).toEqual(
        ['endCursor', 'hasNextPage', 'hasPreviousPage', 'startCursor'].sort(),
      );
    }
    const workflowLogs = schema.getType('WorkflowLogConnection');
    expect(isObjectType(workflowLogs) && String(workflowLogs.getFields().totalCount?.type)).toBe(
      'Int',
    );
  });
});
