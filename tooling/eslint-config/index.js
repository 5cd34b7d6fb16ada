// Shared flat config: every package's eslint.config.js spreads this and adds nothing
// unless it has a reason to.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** @param {string} tsconfigRootDir */
export function spindle(tsconfigRootDir) {
  return tseslint.config(
    // Plain .mjs files are fixtures Node loads as they are (factory modules for child processes).
    { ignores: ['dist/**', 'coverage/**', 'results/**', '*.config.*', '**/*.mjs'] },
    js.configs.recommended,
    ...tseslint.configs.strictTypeChecked,
    ...tseslint.configs.stylisticTypeChecked,
    {
      languageOptions: {
        parserOptions: { projectService: true, tsconfigRootDir },
      },
      rules: {
        '@typescript-eslint/no-explicit-any': 'error',
        '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
        // Executors deliberately hold the thread in tight loops; `while (true)` with an
        // explicit break is clearer there than contorted loop conditions.
        '@typescript-eslint/no-unnecessary-condition': ['error', { allowConstantLoopConditions: true }],
        '@typescript-eslint/consistent-type-imports': 'error',
        // Schedulers forward whatever a body threw, Error or not, unchanged.
        '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingUnknown: true }],
      },
    },
    {
      files: ['**/*.test.ts', 'test/**/*.ts'],
      rules: {
        // Tests build deliberately malformed input to prove it is rejected.
        '@typescript-eslint/no-unsafe-argument': 'off',
        '@typescript-eslint/no-floating-promises': 'off',
      },
    },
  );
}
