import { describe, expect, it } from "vitest";
import { withTimeout } from "../../functions/private/timeout.ts";

const never = () => new Promise<never>(() => undefined);
const after = <T>(ms: number, value: T) => () => new Promise<T>((resolve) => setTimeout(() => resolve(value), ms));

describe("withTimeout", () => {
  it("ends each waiting call at its own deadline, however they overlap, and lets the others finish", async () => {
    const order: string[] = [];
    const note = (p: Promise<unknown>) =>
      p.then(
        (v) => void order.push(`resolved ${String(v)}`),
        (e: Error) => void order.push(`timed out ${e.message}`),
      );
    const calls = [
      note(withTimeout(never, 0.3, () => new Error("late"))),
      note(withTimeout(never, 0.05, () => new Error("early"))),
      note(withTimeout(after(100, "b"), 5, () => new Error("b"))),
      note(withTimeout(() => "sync", 5, () => new Error("sync"))),
    ];
    await Promise.all(calls);
    expect(order).toStrictEqual(["resolved sync", "timed out early", "resolved b", "timed out late"]);
    // Nothing waits now; a later call still gets its deadline.
    await expect(withTimeout(never, 0.02, () => new Error("again"))).rejects.toThrow("again");
    await expect(withTimeout(() => Promise.reject(new Error("own")), 5, () => new Error("x"))).rejects.toThrow("own");
  });
});
