// Layers of ARCHITECTURE.md, enforced by lint (as VS Code does with code-import-patterns):
// renderer -> shared only; shared -> nothing of ours; main/core -> never electron.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

const outsideShared = ['**/main/**', '**/renderer/**', '**/preload/**', '**/e2e/**', '**/test/**'];
// Test support (reference servers, harnesses, the browser host) lives in test/ and e2e/; the
// product never imports it. Unit tests beside the code (*.test.ts) may.
const testSupport = { group: ['**/test/**', '**/e2e/**'], message: 'Product code may not import test support (test/, e2e/): only *.test.ts files may.' };
const testFiles = ['**/*.test.ts', '**/*.test.tsx'];
const electronInCore = { name: 'electron', message: 'src/main/core is plain Node: put Electron code in src/main/electron behind a port.' };
const corePatterns = [
  { group: ['**/electron/*', '../electron', '../../electron'], message: 'core may not import the Electron adapters.' },
  { group: ['**/renderer/**', '**/preload/**'], message: 'core may not import renderer or preload.' },
];

const rendererImports = {
  paths: [
    { name: 'electron', message: 'The renderer knows only window.keyport.' },
    { name: 'zod', message: 'zod stays out of the renderer bundle (main validates every call); e2e/bundle.spec.ts checks the bundle.' },
  ],
  patterns: [
    { group: ['**/main/**', '**/preload/**', 'node:*'], message: 'The renderer may import only src/shared.' },
    { group: ['**/shared/schemas'], message: 'schemas.ts brings zod into the renderer bundle: put shared constants in src/shared/limits.ts.' },
    testSupport,
  ],
};
/** The only renderer files that may talk to main (window.keyport, the api module). */
const talksToMain = ['src/renderer/src/api.ts', 'src/renderer/src/store.ts', 'src/renderer/src/actions/**'];
const onlyActions = 'Only the store and its actions (src/renderer/src/actions/) talk to main: call an action, which also decides what to reload.';

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', '.cache/**', 'test-results/**', 'playwright-report/**', 'bench/.baseline/**', '.test-reports/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': ['error', { allow: ['warn', 'error'] }],
    },
  },
  {
    files: ['src/main/core/**'],
    ignores: testFiles,
    rules: { 'no-restricted-imports': ['error', { paths: [electronInCore], patterns: [...corePatterns, testSupport] }] },
  },
  {
    files: testFiles.map((glob) => `src/main/core/${glob}`),
    rules: { 'no-restricted-imports': ['error', { paths: [electronInCore], patterns: corePatterns }] },
  },
  {
    files: ['src/main/**'],
    ignores: ['src/main/core/**', ...testFiles],
    rules: { 'no-restricted-imports': ['error', { patterns: [testSupport] }] },
  },
  {
    files: ['src/shared/**'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'electron', message: 'shared is imported by the renderer: no Electron.' }],
        patterns: [{ group: outsideShared, message: 'src/shared imports nothing of ours.' }, { group: ['node:*'], message: 'shared runs in the renderer: no Node modules.' }],
      }],
    },
  },
  {
    files: ['src/renderer/**'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-imports': ['error', rendererImports],
    },
  },
  {
    // The store and its actions own the renderer's data (ARCHITECTURE.md): everything else calls
    // them, never main, so "what to reload after X" lives in one place.
    files: ['src/renderer/**'],
    ignores: talksToMain,
    rules: {
      'no-restricted-imports': ['error', { paths: rendererImports.paths, patterns: [...rendererImports.patterns, { regex: '(^|/)api$', message: onlyActions }] }],
      'no-restricted-properties': ['error', { object: 'window', property: 'keyport', message: onlyActions }, { object: 'globalThis', property: 'keyport', message: onlyActions }],
      'no-restricted-globals': ['error', { name: 'keyport', message: onlyActions }],
    },
  },
  {
    files: ['src/preload/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/main/**', '**/renderer/**'], message: 'preload may import only src/shared and electron.' }, testSupport] }],
    },
  },
  {
    files: ['scripts/**', 'test/servers/cli.ts', 'bench/**'],
    rules: { 'no-console': 'off' },
  },
);
