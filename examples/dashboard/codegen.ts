import type { CodegenConfig } from '@graphql-codegen/cli';

const config: CodegenConfig = {
  // The gateway's schema as checked in; or a running gateway: 'http://127.0.0.1:4000/graphql'.
  // timeline-contract.graphql stands in for Query.timeline and Subscription.timeline until they
  // are in schema.graphql; it goes once they are.
  schema: ['../../schema/schema.graphql', 'timeline-contract.graphql'],
  documents: ['src/**/*.graphql'],
  generates: {
    'src/generated/': {
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
