/**
 * stepflow/testing: helpers for your own tests (vitest, jest, node:test). Run a flow on this
 * machine with task overrides and in-memory stores, then assert which tasks ran, in what
 * order and with how many attempts.
 * @example
 * import { override, runFlow } from "stepflow/testing";
 * const run = await runFlow(toTheMoon, { coin: "BTC" }, { overrides: [override(getData, async () => prices)] });
 * expect(run.attempts("get-data")).toBe(1);
 */
export type { OverrideResult, RunFlowOptions, TaskOverride } from "./run-flow.ts";
export { override, runFlow } from "./run-flow.ts";
export type { TaskSelector, TestRun } from "./test-run.ts";
