import { describe, expectTypeOf, it } from "vitest";
import { flow, type Jsonify, type NotJson, type Ref, task } from "../../sdk/index.ts";

const when = task("when", () => new Date());
const stamp = task("stamp", (iso: string) => iso.length);
const needsDate = task("needs-date", (d: Date) => d.getTime());
const lookup = task("lookup", () => new Map<string, number>());
const needsMap = task("needs-map", (m: Map<string, number>) => m.size);
const record = task("record", () => ({ at: new Date(), note: undefined as string | undefined, fn: () => 1, n: 1 }));
const nothing = task("nothing", () => {});
const stampAt = task("stamp-at", (s: string) => new Date(s));
const list = task("list", () => [new Date(), 1] as const);

describe("task results are typed as JSON gives them back", () => {
  it("a Date result is a string in the next task", () => {
    flow("dates", () => {
      const d = when();
      expectTypeOf(d).toEqualTypeOf<Ref<string>>();
      stamp(d);
      // @ts-expect-error the next task receives a string, not a Date (`d.getTime is not a function`)
      needsDate(d);
    });
  });

  it("a Map result cannot be used as a Map", () => {
    flow("maps", () => {
      const m = lookup();
      expectTypeOf(m).toEqualTypeOf<Ref<NotJson<"a Map becomes {} in JSON; return Object.fromEntries(map) or [...map]">>>();
      // @ts-expect-error a Map becomes {} in JSON
      needsMap(m);
    });
  });

  it("objects lose methods, keep optional fields; void is null; tuples map item by item", () => {
    expectTypeOf<Jsonify<{ at: Date; note: string | undefined; fn: () => number; n: number }>>().toEqualTypeOf<{
      at: string;
      note: string | undefined;
      n: number;
    }>();
    flow("shapes", () => {
      expectTypeOf(record()).toEqualTypeOf<Ref<{ at: string; note: string | undefined; n: number }>>();
      expectTypeOf(nothing()).toEqualTypeOf<Ref<null>>();
      expectTypeOf(list()).toEqualTypeOf<Ref<readonly [string, 1]>>();
      expectTypeOf(stampAt.map(["a", "b"])).toEqualTypeOf<Ref<string[]>>();
    });
  });
});
