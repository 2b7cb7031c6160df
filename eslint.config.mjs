// @ts-check
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((name) => `node:${name}`)];

export default tseslint.config(
  { ignores: ['node_modules/', 'generated/', 'dist/', '.tools/', '.data/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['*.mjs', '*.js'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      eqeqeq: ['error', 'always'],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/only-throw-error': 'error',
      // Interfaces such as PayloadCodec are async by contract even where our implementation is not.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    // Workflow code is replayed deterministically inside Temporal's sandbox:
    // no I/O, no Node APIs, no clocks or randomness of its own.
    files: ['workflows/**/*.ts', 'temporal.config.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins.map((name) => ({
            name,
            message: 'Workflow code must not use Node APIs (not deterministic).',
          })),
          patterns: [
            {
              group: [
                '@prisma/*',
                '**/generated/**',
                'pg',
                'resend',
                'express',
                '@temporalio/client',
                '@temporalio/worker',
                '@temporalio/activity',
                'pino',
                '../db/*',
                '../api/*',
                '../web/*',
                '../http/*',
                '../use-cases/*',
                '../schemas/*',
                '../app/*',
                '../config/*',
                '../local/*',
                '../temporal/*',
              ],
              message: 'Workflow code does no I/O: call an activity instead.',
            },
            {
              group: ['../activities', '../activities/*'],
              allowTypeImports: true,
              message: 'Import activities as types only and proxy them.',
            },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'fetch', message: 'No I/O in workflows: use an activity.' },
        { name: 'process', message: 'No environment in workflows: pass values as input or use temporal.config.ts.' },
        { name: 'setTimeout', message: 'Use sleep() or condition() from @temporalio/workflow.' },
        { name: 'setInterval', message: 'Use sleep() in a loop from @temporalio/workflow.' },
      ],
    },
  },
  {
    // No import cycles: each folder reads top-down, and a cycle is where a module
    // starts to run half-initialised. Type-only imports count too (a type cycle still
    // ties two areas together); workflows importing their activities' types is the one
    // shape Temporal's samples use, and activities never import workflows back.
    files: ['**/*.ts', '**/*.tsx'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/extensions': ['.ts', '.tsx'],
      'import-x/resolver': { node: { extensions: ['.ts', '.tsx'] } },
    },
    rules: { 'import-x/no-cycle': ['error', { ignoreExternal: true }] },
  },
  {
    // The JSON API and the pages are two rooms: what both need lives in http/,
    // use-cases/, schemas/ or domain/, and only app/http-app.ts mounts both.
    files: ['api/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/web', '**/web/*'],
              message: 'api/ must not import pages (web/): share through use-cases/, http/ or schemas/.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['web/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/api', '**/api/*'],
              message: 'web/ must not import the JSON API (api/): share through use-cases/, http/ or schemas/.',
            },
          ],
        },
      ],
    },
  },
  {
    // Use cases know nothing of HTTP or pages: both sides call them.
    files: ['use-cases/**/*.ts', 'schemas/**/*.ts', 'domain/**/*.ts', 'activities/**/*.ts', 'workflows/**/*.ts'],
    ignores: [],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/api', '**/api/*', '**/web', '**/web/*', '**/http', '**/http/*', '**/app/*'],
              message: 'Business code does not import the HTTP layers (api/, web/, http/, app/).',
            },
          ],
        },
      ],
    },
  },
  {
    // Plain Node scripts and tool configs (CommonJS): linted, without type information.
    files: ['**/*.js', '**/*.cjs', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      sourceType: 'commonjs',
      globals: {
        require: 'readonly',
        module: 'writable',
        process: 'readonly',
        __dirname: 'readonly',
        console: 'readonly',
      },
    },
    rules: { ...tseslint.configs.disableTypeChecked.rules, '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['**/*.mjs'],
    languageOptions: { sourceType: 'module' },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  prettier,
);
