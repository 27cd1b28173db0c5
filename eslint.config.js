import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  // The examples are apps of their own: `npm run test:examples` type-checks them with their packages.
  { ignores: ['dist/', 'coverage/', 'src/generated/', 'test/generated/', 'examples/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/only-throw-error': 'off',
    },
  },
  // DESIGN.md's one-way dependencies: the schema and the Yoga plugins reach walks, live sources
  // and upstream clients only through the context's services and the types it re-exports.
  {
    files: ['src/schema/**/*.ts', 'src/plugins/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '(^|/)(live|paging|upstreams|emulator)/',
              message: 'Reach it through src/context.ts (a service or a re-exported type).',
            },
          ],
        },
      ],
    },
  },
  // The gateway and the emulator share nothing: the demo wires them together from the entry side.
  {
    files: ['src/**/*.ts'],
    ignores: ['src/emulator/**', 'src/demo.ts', 'src/schema/**', 'src/plugins/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: '(^|/)emulator/', message: 'The gateway never imports the emulator.' },
          ],
        },
      ],
    },
  },
  // V8 keeps an object literal's getters and setters in a hidden class made for that object in the
  // old generation, and from there they keep what they read alive through every young-generation
  // collection until a full one: per-request pages were promoted whole (bench/RESULTS.md).
  {
    files: ['src/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector:
            "ObjectExpression > Property[kind='get'], ObjectExpression > Property[kind='set']",
          message:
            'Use a class (accessors on its prototype) instead of accessors in an object literal.',
        },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
);
