import { describe, expect, it } from "vitest";
import { installWithResolvers } from "../../sdk/local/private/with-resolvers.ts";

/** What `installWithResolvers` adds. */
type WithResolvers = <T>() => { promise: Promise<T>; resolve: (value: T) => void; reject: (reason?: unknown) => void };

describe("Promise.withResolvers where the runtime lacks it", () => {
  /** A Promise subclass without the method (as on Node 20), for installing onto. */
  function bareSubclass() {
    class Plain<T> extends Promise<T> {}
    Object.defineProperty(Plain, "withResolvers", { value: undefined, configurable: true, writable: true });
    return Plain as unknown as PromiseConstructor & { withResolvers?: WithResolvers };
  }

  it("resolves and rejects the promise it returns, a promise of the constructor it is called on", async () => {
    const P = bareSubclass();
    installWithResolvers(P);
    const ok = P.withResolvers!<number>();
    expect(ok.promise).toBeInstanceOf(P);
    ok.resolve(7);
    expect(await ok.promise).toBe(7);
    const bad = P.withResolvers!<number>();
    bad.reject(new Error("no"));
    await expect(bad.promise).rejects.toThrow("no");
    // Not enumerable, like a built-in.
    expect(Object.keys(P)).not.toContain("withResolvers");
  });

  it("keeps a withResolvers the constructor has already", () => {
    const P = bareSubclass();
    const own = () => ({ promise: Promise.resolve(1), resolve: () => {}, reject: () => {} });
    Object.defineProperty(P, "withResolvers", { value: own });
    installWithResolvers(P);
    expect(P.withResolvers).toBe(own);
  });

  it("is installed on the global Promise once the local runner is loaded", () => {
    expect(typeof (Promise as { withResolvers?: unknown }).withResolvers).toBe("function");
  });
});
