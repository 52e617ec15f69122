/** The cache of definitions the local engine validated before (start-up of every CLI call). */
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { prepare } from "../../sdk/local/private/prepare.ts";
import { validatedBefore } from "../../sdk/local/private/validated-definitions.ts";
import { compile, flow, task } from "../../sdk/index.ts";
import { localSubstitutions, substitute } from "../../sdk/compile/substitute.ts";

describe("validatedBefore", () => {
  it("knows a definition only after it was remembered, and tells a changed one apart", () => {
    const definition = { StartAt: "A", States: { A: { Type: "Pass", Comment: randomUUID(), End: true } } };
    expect(validatedBefore(definition).known).toBe(false);
    validatedBefore(definition).remember();
    expect(validatedBefore(definition).known).toBe(true);
    expect(validatedBefore({ ...definition, Comment: "changed" }).known).toBe(false);
  });

  it("remembers the definition AWS runs (Retry included) once the engine accepted it", () => {
    const t = task(`t-${randomUUID().slice(0, 8)}`, { retries: 2 }, () => 1);
    const f = flow(`f-${randomUUID().slice(0, 8)}`, () => t());
    const compiled = compile(f);
    // The one the engine validated, before the retry driver took the Task states' Retry (prepare.ts).
    const definition = substitute(compiled.definition, localSubstitutions(compiled));
    expect(validatedBefore(definition).known).toBe(false);
    const prepared = prepare(f);
    expect(validatedBefore(definition).known).toBe(true);
    expect(JSON.stringify(definition)).toContain('"Retry"');
    expect(JSON.stringify(prepared.definition)).not.toContain('"Retry"');
  });
});
