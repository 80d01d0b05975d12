// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

export default tseslint.config(
  {
    ignores: [
      'out/**',
      'dist/**',
      'release/**',
      'node_modules/**',
      'test-results/**',
      'playwright-report/**',
      '.scratch-*/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
      globals: { ...globals.node },
    },
    plugins: { 'import-x': importX },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Data flows one way: the renderer never imports main code, services never import electron.
      'import-x/no-restricted-paths': [
        'error',
        {
          zones: [
            {
              target: './src-renderer',
              from: './src-main',
              message: 'The renderer talks to main only through the contract.',
            },
            { target: './src-main', from: './src-renderer' },
            { target: './src-preload', from: './src-main' },
            { target: './src-preload', from: './src-renderer' },
          ],
        },
      ],
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'electron',
              message:
                "Only src-main/index.ts, src-main/host/electron*.ts and src-preload import 'electron'.",
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src-main/index.ts', 'src-main/host/electron*.ts', 'src-preload/index.ts', 'test/electron/**'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    // The browser-side tests compile with DOM types in their own project (tsconfig.e2e.json).
    files: ['test/e2e/**/*.ts', 'test/electron/**/*.ts'],
    languageOptions: {
      parserOptions: {
        projectService: false,
        project: './tsconfig.e2e.json',
        tsconfigRootDir: import.meta.dirname,
      },
    },
  },
  {
    // Unit tests of renderer code (pure helpers, components rendered to markup) span the renderer and
    // main projects, so they compile in their own non-composite project (tsconfig.rendererTests.json).
    files: ['test/unit/renderer/**/*.ts'],
    languageOptions: {
      parserOptions: {
        projectService: false,
        project: './tsconfig.rendererTests.json',
        tsconfigRootDir: import.meta.dirname,
      },
    },
  },
  {
    files: ['src-renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: { ...reactHooks.configs.recommended.rules },
  },
  {
    files: ['**/*.mjs', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
  },
);
