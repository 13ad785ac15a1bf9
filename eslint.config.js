// @ts-check
import tseslint from 'typescript-eslint';

/** What the package (harness/, signaling/, turn/, lib/) never imports. */
const PACKAGE_ONLY = {
  group: ['**/app-under-test/**', '**/app-under-test', '**/bench/**', '**/tests/**', '**/examples/**', '**/scripts/**'],
  message: 'The package must install and run without the bundled app, the suite or its scripts: take what the app provides through the appUnderTest option (harness/app-under-test.ts).',
};

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'reports/', 'test-results/', 'playwright-report/'] },
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.base],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
    },
  },
  {
    // The app under test is what users replace with their own: it must never lean on the harness.
    files: ['app-under-test/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ group: ['**/harness/**', '**/harness', '**/tests/**'], message: 'app-under-test must not import the harness or tests: drive it through its page and protocol types only.' }],
      }],
    },
  },
  {
    // The package (harness/, its servers and lib/) must install and run without our suite: it
    // imports nothing from the bundled app, benchmarks, tests, examples or scripts.
    files: ['harness/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [PACKAGE_ONLY] }],
    },
  },
  {
    // The servers stand alone: shared helpers live in lib/, never in the harness.
    files: ['signaling/**/*.ts', 'turn/**/*.ts', 'lib/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [PACKAGE_ONLY, { group: ['**/harness/**', '**/harness'], message: 'signaling/, turn/ and lib/ must not import the harness: move the shared helper to lib/.' }],
      }],
    },
  },
);
