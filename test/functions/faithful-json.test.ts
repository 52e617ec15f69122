import { describe, expect, it } from "vitest";
import { faithfulJson } from "../../functions/private/faithful-json.ts";
import { flow, task } from "../../sdk/index.ts";
import { runFlow } from "../../sdk/testing/index.ts";

class Point {
  constructor(readonly x: number) {}
}

describe("results JSON would change fail with the path inside the value", () => {
  it.each([
    ["a Map", { seen: new Map([["a", 1]]) }, "seen", /a Map, which JSON writes as `\{\}`; return `Object.fromEntries\(map\)`/],
    ["a Set", [1, { tags: new Set(["x"]) }], "[1].tags", /a Set/],
    ["NaN", { rows: [{ ratio: Number.NaN }] }, "rows[0].ratio", /the number NaN, which JSON writes as `null`/],
    ["Infinity", Number.POSITIVE_INFINITY, "(the result)", /the number Infinity/],
    ["undefined in a list", { xs: [1, undefined] }, "xs[1]", /`undefined` in a list/],
    ["a function", { f: () => 1 }, "f", /a function, which JSON drops/],
    ["a class instance", { p: new Point(1) }, "p", /an instance of `Point`/],
  ])("%s", (_, value, path, what) => {
    const out = faithfulJson(value);
    expect("change" in out && out.change.path).toBe(path);
    expect("change" in out && out.change.what).toMatch(what);
  });

  it("writes what round-trips: Dates by toJSON, undefined fields dropped, plain data", () => {
    const at = new Date("2025-01-02T03:04:05.000Z");
    expect(faithfulJson({ at, skip: undefined, n: [1, null, "a"], o: Object.create(null) })).toStrictEqual({
      text: '{"at":"2025-01-02T03:04:05.000Z","n":[1,null,"a"],"o":{}}',
    });
    expect(faithfulJson(undefined)).toStrictEqual({ text: "null" });
  });

  it("fails the task with a PayloadError naming the path, and passes a Date on as a string", async () => {
    const bad = task("bad", () => ({ byHour: new Map([[17, 1]]) }));
    const stamp = task("stamp", () => new Date("2025-01-02T03:04:05.000Z"));
    const kind = task("kind", (d: string) => `${typeof d}:${d}`);
    const failing = await runFlow(flow("json-bad", () => bad()));
    expect(failing.status).toBe("FAILED");
    expect(failing.error?.name).toBe("PayloadError");
    expect(failing.error?.message).toMatch(/task `bad` \(state `bad`\) returned a value that JSON would change at `byHour`: a Map/);
    const ok = await runFlow(flow("json-date", () => kind(stamp())));
    expect(ok.result).toBe("string:2025-01-02T03:04:05.000Z");
  });
});
