// @ts-check
import eslint from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'cdktf.out/', 'coverage/', '**/dist/', '.local/', '.stryker-tmp/', 'reports/', '.cache/'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: globals.node },
    rules: {
      // Provider classes come from their submodules: the barrel costs ~1 GB RAM and ~10 s to load.
      'no-restricted-imports': ['error', { paths: [{ name: '@cdktf/provider-google', message: "Import from '@cdktf/provider-google/lib/<resource>' instead of the barrel." }] }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Runtime code ships in containers and CLIs: it must never load cdktf, the provider or the constructs.
    files: ['handler/**/*.ts', 'client/**/*.ts', 'local/**/*.ts', 'limits/**/*.ts', 'config/**/*.ts', 'review/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { group: ['cdktf', 'cdktf/*', 'constructs', '@cdktf/*'], message: 'Runtime code must not import cdktf, constructs or the provider.' },
        { group: ['**/constructs', '**/constructs/*', '../main', '../../main'], message: 'Runtime code must not import the construct library or the app.' },
      ] }],
    },
  },
  {
    files: ['test/**/*.ts', 'handler/test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['**/*.js'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
