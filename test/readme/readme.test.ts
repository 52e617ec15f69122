/**
 * The README's API tour is test/readme/api-tour.ts, word for word: it type-checks and lints with
 * the repo (tsconfig and ESLint cover test/), runs locally as a reader would run it, and deploys:
 * FlowStack synthesizes it (its tasks are exported, as FlowStack needs).
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { runLocal } from "../../sdk/local/index.ts";
import { synth } from "../infra/support.ts";
import { tempDir } from "../support/temp-dir.ts";
import { toTheMoon } from "./api-tour.ts";

const README = readFileSync(new URL("../../README.md", import.meta.url), "utf8");

/** The ```ts blocks of the README, in order. */
function tsBlocks(): string[] {
  return [...README.matchAll(/```ts\n([^]*?)```/g)].map((m) => m[1]);
}

describe("README API tour", () => {
  it("is the tested file, word for word", () => {
    expect(tsBlocks()[0]).toBe(readFileSync(new URL("./api-tour.ts", import.meta.url), "utf8"));
  });

  it("runs locally as written: a DOGE dip is detected and posted (the unset webhook skips the POST)", async () => {
    const run = await runLocal(toTheMoon, {}, { dir: tempDir("stepflow-readme-"), missingSecrets: "empty" });
    expect(run.status).toBe("SUCCEEDED");
    expect(run.tasks.map((t) => `${t.state} ${t.status}`)).toStrictEqual([
      "get-data SUCCEEDED",
      "detect-dip SUCCEEDED",
      "post-to-slack SUCCEEDED",
    ]);
  });

  it("deploys: FlowStack synthesizes its state machine, task Lambda and schedule", () => {
    const { template } = synth([toTheMoon]);
    template.resourceCountIs("AWS::StepFunctions::StateMachine", 1);
    const machines = template.findResources("AWS::StepFunctions::StateMachine");
    const definition = JSON.stringify(Object.values(machines)[0]);
    for (const state of ["get-data", "detect-dip", "post-to-slack"]) expect(definition).toContain(state);
    expect(Object.keys(template.findResources("AWS::Events::Rule")).length + Object.keys(template.findResources("AWS::Scheduler::Schedule")).length).toBeGreaterThan(0);
  });
});
