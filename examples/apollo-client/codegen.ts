import type { CodegenConfig } from '@graphql-codegen/cli';
import { addTypenameSelectionDocumentTransform } from '@graphql-codegen/client-preset';

const config: CodegenConfig = {
  // The gateway's schema as checked in; or a running gateway: 'http://127.0.0.1:4000/graphql'.
  schema: '../../schema/schema.graphql',
  documents: ['src/**/*.graphql'],
  generates: {
    'src/generated/': {
      preset: 'client',
      // Also writes persisted-documents.json, the manifest to deploy with the gateway
      // (PERSISTED_DOCUMENTS), each document as Apollo Client sends it: with __typename.
      presetConfig: { persistedDocuments: true },
      documentTransforms: [addTypenameSelectionDocumentTransform],
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        strictScalars: true,
        scalars: { DateTime: 'string', JSON: 'unknown' },
        // Imports with `.js` extensions, as "module": "NodeNext" requires (TS2835 without).
        emitLegacyCommonJSImports: false,
      },
    },
  },
};

export default config;
