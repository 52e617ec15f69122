/** The cache of definitions the local engine validated before (start-up of every CLI call). */
import { randomUUID } from "node:crypto";
import { existsSync, readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { prepare } from "../../sdk/local/private/prepare.ts";
import { validatedBefore } from "../../sdk/local/private/validated-definitions.ts";
import { flow, task } from "../../sdk/index.ts";

describe("validatedBefore", () => {
  it("knows a definition only after it was remembered, and tells a changed one apart", () => {
    const definition = { StartAt: "A", States: { A: { Type: "Pass", Comment: randomUUID(), End: true } } };
    expect(validatedBefore(definition).known).toBe(false);
    validatedBefore(definition).remember();
    expect(validatedBefore(definition).known).toBe(true);
    expect(validatedBefore({ ...definition, Comment: "changed" }).known).toBe(false);
  });

  it("remembers a flow's definition once the engine accepted it", () => {
    const cache = "node_modules/.cache/stepflow/validated-asl";
    const count = () => (existsSync(cache) ? readdirSync(cache).length : 0);
    const before = count();
    const t = task(`t-${randomUUID().slice(0, 8)}`, () => 1);
    prepare(flow(`f-${randomUUID().slice(0, 8)}`, () => t()));
    expect(count()).toBe(before + 1);
  });
});
