// ESLint flat config: the recommended JS and typescript-eslint rules, plus the house rules
// (no `any`, no unused code). Formatting is left to editors; ESLint checks correctness.
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import { tsImport } from "tsx/esm/api";

// stepflow's own lint rule is TypeScript like the rest of the package: tsx loads it.
const { stepflowPlugin } = await tsImport("stepflow/eslint", import.meta.url);

export default tseslint.config(
  { ignores: ["node_modules/", "cdk.out/", ".stepflow/", "coverage/", "bench/out/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { process: "readonly", console: "readonly", setTimeout: "readonly", clearTimeout: "readonly" },
    },
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" }],
    },
  },
  // Flow bodies: `if (ref)` always takes the same path; the rule reads types, so these files
  // are linted with type information.
  {
    files: ["flows/**/*.ts", "test/**/*.ts"],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    plugins: { stepflow: stepflowPlugin },
    rules: { "stepflow/no-ref-condition": "error" },
  },
);
