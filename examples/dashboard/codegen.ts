import type { CodegenConfig } from '@graphql-codegen/cli';

const config: CodegenConfig = {
  // The gateway's schema as checked in; or a running gateway: 'http://127.0.0.1:4000/graphql'.
  schema: '../../schema/schema.graphql',
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
