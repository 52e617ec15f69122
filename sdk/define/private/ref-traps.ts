/**
 * What a ref does when a flow body treats it as the value it stands for. A ref has no value
 * until the flow runs, so turning it into a string or number, awaiting it or serialising it at
 * definition time would silently give `"[object Object]"`, `NaN` or a wrong branch; each of
 * these throws a `UsageError` naming the ref and the fix instead.
 */
import { UsageError } from "../../core/errors.ts";

/** The key of a ref's label ("the result of `get-data`", "parameter `coin`"), for messages. */
export const REF_LABEL: unique symbol = Symbol("stepflow.ref.label");

function labelOf(ref: unknown): string {
  return String((ref as Record<symbol, unknown>)[REF_LABEL] ?? "a ref");
}

function misuse(ref: unknown, what: string, fix: string): never {
  throw new UsageError(
    `${labelOf(ref)} is a ref, a value that exists only when the flow runs, and the flow body ${what}; ${fix}`,
  );
}

const COMPUTE =
  "pass the ref to a task that computes with its value (e.g. `task(\"greet\", (name: string) => `hello ${name}`)`), or branch on it with `when(ref, then, otherwise)`";

/** The prototype of every ref: traps for each way JavaScript turns an object into a value. */
export const refTraps: object = Object.freeze({
  [Symbol.toPrimitive](this: unknown, hint: string): never {
    const as = hint === "number" ? "used it as a number (arithmetic or a comparison)" : "used it as a string (a template literal or `+`)";
    return misuse(this, as, COMPUTE);
  },
  toString(this: unknown): never {
    return misuse(this, "called `toString()` on it", COMPUTE);
  },
  valueOf(this: unknown): never {
    return misuse(this, "called `valueOf()` on it", COMPUTE);
  },
  toJSON(this: unknown): never {
    return misuse(this, "turned it into JSON (`JSON.stringify`)", "pass the ref to a task; stepflow sends its value as JSON when the flow runs");
  },
  get then(): never {
    return misuse(
      this,
      "awaited it or used it as a promise",
      "a flow body is a plain (non-async) function and task calls return refs, not promises: pass the ref to the next task as it is, without `await`",
    );
  },
  [Symbol.for("nodejs.util.inspect.custom")](this: unknown): string {
    return `Ref<${labelOf(this)}>`;
  },
});
