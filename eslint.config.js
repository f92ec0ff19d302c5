// @ts-check
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/**
 * Import boundaries (DESIGN.md "Dependencies point inward"). Each entry: which files, and what
 * they may not import. A violation fails `npm test`.
 */
const HTTP_FRAMEWORKS = ['hono', 'hono/*', '@hono/*', 'express', 'fastify', 'koa'];
const boundaries = [
  {
    name: 'domain imports nothing of ours and does no I/O',
    files: ['packages/domain/**/*.ts'],
    patterns: [
      { group: ['@newdreamflow/*'], message: 'packages/domain imports nothing of ours.' },
      {
        group: ['**/src/**', '**/services/**', '**/tools/**', '**/packages/**'],
        message: 'packages/domain imports nothing of ours.',
      },
      {
        group: [
          'node:*',
          'fs',
          'path',
          'http',
          'crypto',
          'electron',
          'react',
          'react-dom',
          ...HTTP_FRAMEWORKS,
        ],
        message: 'packages/domain is pure: no I/O, no Node, no UI.',
      },
    ],
  },
  {
    name: 'main core knows nothing of Electron, React or HTTP frameworks',
    files: ['src/main/core/**/*.ts'],
    patterns: [
      {
        group: ['electron', 'electron/*'],
        message: 'src/main/core is Electron-free: reach Electron through an adapter in src/main/electron.',
      },
      {
        group: ['react', 'react-dom', 'react-dom/*', ...HTTP_FRAMEWORKS],
        message: 'src/main/core may not import React or an HTTP framework.',
      },
      {
        group: [
          '**/main/electron/**',
          '../electron/**',
          '../../electron/**',
          '**/renderer/**',
          '**/preload/**',
        ],
        message: 'src/main/core may not import the shell, preload or renderer.',
      },
      {
        group: [
          '@newdreamflow/engine',
          '@newdreamflow/keyservice',
          '@newdreamflow/dev-idp',
          '@newdreamflow/migrate',
        ],
        message: 'The app never imports service code.',
      },
    ],
  },
  {
    name: 'the Electron shell imports core and shared, never the renderer or services',
    files: ['src/main/electron/**/*.ts', 'src/main/index.ts'],
    patterns: [
      { group: ['**/renderer/**', 'react', 'react-dom'], message: 'main may not import renderer code.' },
      {
        group: [
          '@newdreamflow/engine',
          '@newdreamflow/keyservice',
          '@newdreamflow/dev-idp',
          '@newdreamflow/migrate',
        ],
        message: 'The app never imports service code.',
      },
    ],
  },
  {
    name: 'preload only bridges the contract',
    files: ['src/preload/**/*.ts'],
    patterns: [
      {
        group: ['node:*', 'fs', 'path', 'child_process', 'react', '**/main/**', '**/renderer/**'],
        message: 'The preload exposes src/shared/ipc and nothing else.',
      },
    ],
  },
  {
    name: 'shared IPC contract is pure',
    files: ['src/shared/**/*.ts'],
    patterns: [
      {
        group: ['electron', 'node:*', 'react', '**/main/**', '**/renderer/**', '**/preload/**'],
        message: 'src/shared is imported by every side: no Electron, Node or UI.',
      },
    ],
  },
  {
    name: 'renderer never reaches Electron, Node or main',
    files: ['src/renderer/**/*.{ts,tsx}'],
    patterns: [
      {
        group: ['electron', 'electron/*', 'node:*', 'fs', 'path', 'child_process', 'os', 'crypto'],
        message: 'The renderer is sandboxed: use the API from the preload.',
      },
      {
        group: ['**/main/**', '**/preload/index*'],
        message: 'The renderer may not import main or preload code (types come from src/shared/ipc).',
      },
      {
        group: [
          '@newdreamflow/engine',
          '@newdreamflow/keyservice',
          '@newdreamflow/dev-idp',
          '@newdreamflow/migrate',
        ],
        message: 'The app never imports service code.',
      },
    ],
  },
  {
    name: 'services never import app code',
    files: ['services/**/*.ts', 'tools/**/*.ts'],
    patterns: [
      {
        group: [
          '**/src/main/**',
          '**/src/renderer/**',
          '**/src/preload/**',
          '**/src/shared/**',
          'electron',
          'react',
          'react-dom',
        ],
        message: 'Services import the domain package, never app code.',
      },
    ],
  },
];

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      '**/node_modules/',
      'out/',
      'dist/',
      '**/dist/',
      'release/',
      '.tsbuild/',
      'test-results/',
      'playwright-report/',
      '.data/',
      'coverage/',
      '**/*.d.ts',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
      globals: { ...globals.node },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowNumber: true, allowBoolean: true },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Too noisy for zod-validated data and defensive checks at trust boundaries.
      '@typescript-eslint/no-unnecessary-condition': 'off',
      '@typescript-eslint/no-confusing-void-expression': 'off',
      // A test declared skipped by name (skip called with the test's title) hides silently; a
      // skip decided at run time with a printed reason (the test context's skip) is fine.
      'no-restricted-syntax': [
        'error',
        {
          selector:
            "CallExpression[callee.property.name='skip'][callee.object.name=/^(it|test|describe)$/][arguments.0.type=/^(Literal|TemplateLiteral)$/]",
          message:
            'No silently skipped tests: skip at run time, with a printed reason, through the test context.',
        },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ['src/renderer/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    languageOptions: { globals: { ...globals.browser } },
    rules: { ...reactHooks.configs.recommended.rules },
  },
  {
    // Tests may use non-null assertions on values they just asserted.
    files: ['**/*.test.ts', '**/*.test.tsx', 'e2e/**/*.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  ...boundaries.map(({ name, files, patterns }) => ({
    name,
    files,
    rules: { 'no-restricted-imports': ['error', { patterns }] },
  })),
  {
    // The engine's browser conformance test renders react-instantsearch in Chromium: a test page,
    // not app code, so it may import React (and nothing of the app).
    name: 'engine browser test page may import React',
    files: ['services/engine/test/browser/page/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                '**/src/main/**',
                '**/src/renderer/**',
                '**/src/preload/**',
                '**/src/shared/**',
                'electron',
              ],
              message: 'Services import the domain package, never app code.',
            },
          ],
        },
      ],
    },
  },
  {
    // Core tests drive the real services (dev IdP, key service, engine, stack) as the app's
    // peers; they still may not reach Electron or UI code.
    name: 'main core tests may start the services they talk to',
    files: ['src/main/core/**/*.test.ts', 'src/main/core/test-support/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['electron', 'electron/*', 'react', 'react-dom'],
              message: 'src/main/core is Electron-free, tests included.',
            },
            {
              group: ['**/main/electron/**', '**/renderer/**', '**/preload/**'],
              message: 'src/main/core may not import the shell, preload or renderer.',
            },
          ],
        },
      ],
    },
  },
);
