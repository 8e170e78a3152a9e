import neostandard, { resolveIgnoresFromGitignore } from 'neostandard'
import comments from '@eslint-community/eslint-plugin-eslint-comments/configs'

// neostandard (the Fastify ecosystem's style: no semicolons, single quotes, 2 spaces) for
// TypeScript, plus the type-aware rules that catch real bugs in a Fastify app: a promise nobody
// awaits (a write that fails silently, a reply sent twice), a promise where a value or a void
// callback is expected, and an await on something that is not a promise. An eslint-disable
// comment must say why, on the same line.
export default [
  ...neostandard({ ts: true, ignores: resolveIgnoresFromGitignore() }),
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname }
    },
    rules: {
      // tap tracks its own subtests: `t.test(…)` need not be awaited (tap's documented style).
      '@typescript-eslint/no-floating-promises': ['error', {
        allowForKnownSafePromises: [{ from: 'package', name: 'PromiseWithSubtest', package: '@tapjs/core' }]
      }],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      // `void promise` as a statement is how a promise left to run on its own is marked.
      'no-void': ['error', { allowAsStatement: true }]
    }
  },
  comments.recommended,
  {
    rules: {
      '@eslint-community/eslint-comments/require-description': ['error', { ignore: [] }],
      '@eslint-community/eslint-comments/no-unused-disable': 'error',
      // A whole file may opt out of a rule (with the reason), as wpautop does for its placeholders.
      '@eslint-community/eslint-comments/disable-enable-pair': ['error', { allowWholeFile: true }]
    }
  }
]
