import type { CodegenConfig } from '@graphql-codegen/cli';
import { printSchema } from 'graphql';
import { schema } from './src/schema/index.js';

const config: CodegenConfig = {
  schema: printSchema(schema),
  generates: {
    'schema/schema.graphql': { plugins: ['schema-ast'], config: { sort: false } },
    // Typed documents of the example operations, for the client tests; the gateway never imports them.
    'test/generated/': {
      documents: 'schema/operations/*.graphql',
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        strictScalars: true,
        scalars: { DateTime: 'string', JSON: 'unknown' },
        emitLegacyCommonJSImports: false,
      },
    },
  },
};

export default config;
