// Lint rules, and the dependency direction of STYLE.md: apps -> libs, engine and carriers know
// nothing of NestJS, call-list knows nothing of calls.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const noNestInLibs = {
  group: ['@nestjs/*'],
  message: 'Libraries stay framework-free: NestJS belongs to the apps.',
};
const noAppsInLibs = { group: ['**/apps/**'], message: 'Libraries never import from apps.' };

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'tmp/**', '**/*.cjs', '**/*.mjs', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['libs/**/*.ts'],
    // nest-edge is the one lib made of NestJS: the guard and body rules every app mounts alike.
    ignores: ['libs/**/*.spec.ts', 'libs/test-support/**', 'libs/nest-edge/**'],
    rules: {
      'no-console': 'error',
      'no-restricted-imports': ['error', { patterns: [noNestInLibs, noAppsInLibs] }],
    },
  },
  {
    files: ['libs/call-list/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            noNestInLibs,
            noAppsInLibs,
            {
              group: ['@codcall/*', '!@codcall/logging'],
              message: 'call-list owns the CSV and nothing else: it knows nothing of calls.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['libs/media/**/*.ts', 'libs/logging/**/*.ts', 'libs/languages/**/*.ts', 'libs/gateway-api/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [noNestInLibs, noAppsInLibs, { group: ['@codcall/*', '!@codcall/logging'], message: 'A foundation lib depends on no domain lib.' }] },
      ],
    },
  },
);
