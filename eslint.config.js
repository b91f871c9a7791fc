import neostandard from 'neostandard'
import tseslint from 'typescript-eslint'
import importX, { createNodeResolver } from 'eslint-plugin-import-x'

export default [
  ...neostandard({
    ts: true,
    noJsx: true,
    ignores: [
      'dist/',
      'node_modules/',
      'coverage/',
      '.tap/',
      '.test-build/',
      'test/browser/screenshots/',
      'data/',
      'bench/tmp/',
      'migrations/',
      // Generated from the served OpenAPI document by test/http/typed-client.test.ts.
      'test/http/typed-client/solidaria-api.d.ts'
    ]
  }),

  {
    rules: {
      // `void promise` as a statement is how a deliberately un-awaited promise is marked for no-floating-promises.
      'no-void': ['error', { allowAsStatement: true }],
      // Long object literals are wrapped into lines of related properties, not one property per line.
      '@stylistic/object-property-newline': 'off',
      // Most lines keep to 160 characters; strings, templates (the HTML), URLs and regexps may run on.
      '@stylistic/max-len': ['error', {
        code: 160,
        ignoreUrls: true,
        ignoreStrings: true,
        ignoreTemplateLiterals: true,
        ignoreRegExpLiterals: true
      }]
    }
  },

  // Import cycles. The sources import each other as './x.js' (NodeNext), so '.js' resolves to the '.ts' file.
  {
    files: ['**/*.ts', '**/*.js'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/extensions': ['.ts', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/resolver-next': [
        createNodeResolver({
          extensions: ['.ts', '.js', '.json'],
          extensionAlias: { '.js': ['.ts', '.js'] }
        })
      ]
    },
    rules: {
      'import-x/no-cycle': ['error', { ignoreExternal: true }]
    }
  },

  // Type-aware rules, for the TypeScript files only. tsconfig.json covers src/, test/, bench/ and drizzle.config.ts;
  // web/tsconfig.json covers web/. The project service finds the nearest one for each file.
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname
      }
    },
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: {
      // tap runs the subtests that t.test() queues at the top level of a test file without their being awaited.
      '@typescript-eslint/no-floating-promises': ['error', {
        allowForKnownSafeCalls: [{ from: 'package', package: '@tapjs/test', name: ['test', 'todo', 'skip', 'only'] }]
      }],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error'
    }
  }
]
