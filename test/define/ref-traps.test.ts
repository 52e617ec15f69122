import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { flow, type Ref, task, UsageError } from "../../sdk/index.ts";

const getName = task("get-name", () => "ada");
const greet = task("greet", (s: string) => s);

/** Builds a flow whose body does `misuse` with a task result and a parameter; returns what it threw. */
function thrownBy(misuse: (ref: Ref<string>) => unknown): Error {
  let caught: unknown;
  const f = flow("misuse", { params: z.object({ who: z.string() }) }, () => {
    try {
      misuse(getName());
    } catch (e) {
      caught = e;
    }
    greet("x");
  });
  f.graph();
  if (!(caught instanceof Error)) throw new Error("expected the misuse to throw");
  return caught;
}

describe("refs trap misuse in a flow body", () => {
  it.each([
    ["a template literal", (r: Ref<string>) => `hello ${r as unknown as string}`, /used it as a string/],
    ["string concatenation", (r: Ref<string>) => "hello " + (r as unknown as string), /used it as a string/],
    ["arithmetic", (r: Ref<string>) => (r as unknown as number) * 2, /used it as a number/],
    ["a comparison", (r: Ref<string>) => (r as unknown as number) > 3, /used it as a number/],
    ["toString()", (r: Ref<string>) => r.toString(), /called `toString\(\)` on it/],
    ["valueOf()", (r: Ref<string>) => r.valueOf(), /called `valueOf\(\)` on it/],
    ["JSON.stringify", (r: Ref<string>) => JSON.stringify({ r }), /turned it into JSON/],
  ])("%s throws a UsageError naming the ref and the fix", (_, misuse, what) => {
    const error = thrownBy(misuse);
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toMatch(what);
    expect(error.message).toMatch(/^the result of `get-name` is a ref, a value that exists only when the flow runs/);
    expect(error.message).toMatch(/pass the ref to a task|`when\(ref, then, otherwise\)`/);
  });

  it("awaiting a ref throws, naming the fix (no `await` in a flow body)", async () => {
    const error = thrownBy((r) => (r as unknown as { then: unknown }).then);
    expect(error.message).toMatch(/awaited it or used it as a promise; .*without `await`/);
    let awaited: unknown;
    const f = flow("awaits", () => {
      const name = getName();
      awaited = (async () => await (name as unknown as Promise<string>))();
      greet(name);
    });
    f.graph();
    await expect(awaited).rejects.toThrow(/the result of `get-name` is a ref.*awaited/);
  });

  it("names parameters and mapped results, and prints readably", () => {
    let printed = "";
    let message = "";
    const f = flow("labels", { params: z.object({ who: z.string() }) }, ({ who }) => {
      const many = greet.map(["a", "b"]);
      printed = `${inspect(who)} ${inspect(many)}`;
      try {
        void `${many as unknown as string}`;
      } catch (e) {
        message = (e as Error).message;
      }
      greet(who);
    });
    f.graph();
    expect(printed).toBe("Ref<parameter `who`> Ref<the results of `greet.map(...)`>");
    expect(message).toMatch(/^the results of `greet\.map\(\.\.\.\)` is a ref/);
  });

  it("an uncaught misuse fails the flow definition with the same message", () => {
    const f = flow("uncaught", () => greet(`hi ${getName() as unknown as string}`));
    expect(() => f.graph()).toThrow(/its body threw: the result of `get-name` is a ref.*used it as a string/s);
  });
});
