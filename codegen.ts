import type { CodegenConfig } from '@graphql-codegen/cli';
import { addTypenameSelectionDocumentTransform } from '@graphql-codegen/client-preset';
import { printSchema } from 'graphql';
import { schema } from './src/schema/index.js';

const config: CodegenConfig = {
  schema: printSchema(schema),
  generates: {
    'schema/schema.graphql': { plugins: ['schema-ast'], config: { sort: false } },
    // Typed documents of the example operations, for the client tests; the gateway never imports
    // them. Their manifest, persisted-documents.json, is what PERSISTED_DOCUMENTS reads: each
    // document as Apollo Client sends it (with __typename), by the hash its `__meta__` carries.
    'test/generated/': {
      documents: 'schema/operations/*.graphql',
      preset: 'client',
      presetConfig: { fragmentMasking: false, persistedDocuments: true },
      documentTransforms: [addTypenameSelectionDocumentTransform],
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
