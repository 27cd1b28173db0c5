import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import type { AnySchema, ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

function loadSpec(name: string): JsonObject {
  return JSON.parse(readFileSync(new URL(`specs/${name}`, import.meta.url), 'utf8')) as JsonObject;
}

export const falSpec = loadSpec('fal-platform.openapi.json');
export const difySpec = loadSpec('dify-service.openapi.json');

/** Follows a JSON pointer (without the leading '#') into a document. */
export function at(document: Json, pointer: string): Json {
  let node = document;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    const next = node !== null && typeof node === 'object' ? (node as JsonObject)[key] : undefined;
    if (next === undefined) throw new Error(`No ${pointer} in the spec`);
    node = next;
  }
  return node;
}

export const operation = (spec: JsonObject, path: string, method: string) =>
  at(spec, `/paths/${path.replaceAll('/', '~1')}/${method}`) as JsonObject;

export const responseSchema = (spec: JsonObject, path: string, method: string, status: number) =>
  at(operation(spec, path, method), `/responses/${status}/content/application~1json/schema`);

export function parameterSchema(
  spec: JsonObject,
  path: string,
  method: string,
  name: string,
): Json {
  const parameters = operation(spec, path, method).parameters as JsonObject[];
  const parameter = parameters.find((candidate) => candidate.name === name);
  if (!parameter) throw new Error(`No parameter ${name} on ${method} ${path}`);
  return parameter.schema!;
}

/** An OpenAPI 3.1 (JSON Schema 2020-12) validator with formats; `coerce` reads query strings. */
export function validator2020(schema: Json, { coerce = false } = {}): ValidateFunction {
  const ajv = new Ajv2020({ strict: false, allErrors: true, coerceTypes: coerce });
  addFormats.default(ajv);
  return ajv.compile(schema as AnySchema);
}

/**
 * Validators for an OpenAPI 3.0 document's component schemas (draft-07 plus `nullable`);
 * `#/components/schemas/...` refs resolve within the document.
 */
export function components30(document: JsonObject, { coerce = false } = {}) {
  const ajv = new Ajv({ strict: false, allErrors: true, coerceTypes: coerce });
  addFormats.default(ajv);
  ajv.addSchema({ ...document, $id: 'spec' });
  return {
    schema: (name: string) => ajv.compile({ $ref: `spec#/components/schemas/${name}` }),
    inline: (schema: Json) => ajv.compile(schema as AnySchema),
  };
}

/**
 * A copy of a schema where every declared property is required (except `optional`) and no
 * undeclared property is allowed: the emulator must send all documented fields and no others.
 */
export function strict<T extends Json>(schema: T, optional: readonly string[] = []): T {
  if (Array.isArray(schema)) return schema.map((item) => strict(item, optional)) as T;
  if (schema === null || typeof schema !== 'object') return schema;
  const copy: JsonObject = {};
  for (const [key, value] of Object.entries(schema)) {
    copy[key] =
      key === 'properties' || key === 'schemas'
        ? mapValues(value, optional)
        : strict(value, optional);
  }
  const properties = schema.properties;
  if (properties && typeof properties === 'object' && !Array.isArray(properties)) {
    copy.required = Object.keys(properties).filter((key) => !optional.includes(key));
    copy.additionalProperties ??= false;
  }
  return copy as T;
}

function mapValues(value: Json, optional: readonly string[]): Json {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [key, strict(item, optional)]),
  );
}

/** Describes validation errors for an assertion message. */
export function problems(validate: ValidateFunction): string {
  return JSON.stringify(validate.errors?.slice(0, 5), null, 1);
}
