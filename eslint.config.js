// Lint: typescript-eslint's recommended rules; `any` is an error everywhere.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'coverage/', '.tap/', 'data/', 'migrations/', 'tmp/', '**/*.tmp.*'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', URL: 'readonly' },
      parserOptions: { projectService: { allowDefaultProject: ['eslint.config.js', 'scripts/*.mjs'] } },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    // Tests start tap's subtests without awaiting them, as tap intends.
    files: ['src/**/*.ts', 'bench/**/*.ts'],
    rules: {
      // A forgotten await on db.write() would lose the error and the ordering.
      '@typescript-eslint/no-floating-promises': 'error',
    },
  },
  {
    // Scripts the browser runs as they are (src/web/assets): no type information, the browser's globals.
    files: ['src/web/assets/**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      parserOptions: { projectService: false },
      globals: { window: 'readonly', document: 'readonly', navigator: 'readonly', sessionStorage: 'readonly', fetch: 'readonly', setInterval: 'readonly', Worker: 'readonly' },
    },
  },
);
