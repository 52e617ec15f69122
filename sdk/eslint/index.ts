/**
 * stepflow/eslint: an ESLint (flat config) plugin for flow bodies. Its rule `no-ref-condition`
 * reports `if (ref)` and the other truthiness tests of a `Ref`, which always take the same path;
 * it needs typed linting (typescript-eslint's parser with `projectService`).
 * @example
 * import { stepflowPlugin } from "stepflow/eslint";
 * export default [{ files: ["flows/**"], plugins: { stepflow: stepflowPlugin }, rules: { "stepflow/no-ref-condition": "error" } }];
 */
import type { ESLint } from "eslint";
import { noRefCondition } from "./no-ref-condition.ts";

/** The plugin: register it as `stepflow` and enable `stepflow/no-ref-condition`. */
export const stepflowPlugin: ESLint.Plugin = {
  meta: { name: "stepflow" },
  rules: { "no-ref-condition": noRefCondition },
};

export { noRefCondition };
