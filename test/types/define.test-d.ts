import { describe, expectTypeOf, it } from "vitest";
import { z } from "zod";
import { flow, type Ref, secret, task, unmapped, when } from "../../sdk/index.ts";

interface Price {
  readonly t: number;
  readonly usd: number;
}
const getData = task("get-data", async (coin: string): Promise<Price[]> => [{ t: 0, usd: coin.length }]);
const detectDip = task("detect-dip", (prices: Price[], threshold: number) => prices.length > threshold);
const post = task("post", async (webhook: string, text: string) => {
  void webhook;
  void text;
});

describe("types", () => {
  it("keeps a task's argument and result types through refs", () => {
    flow(
      "typed",
      { params: z.object({ coin: z.string().default("DOGE"), threshold: z.number() }) },
      ({ coin, threshold }) => {
        expectTypeOf(coin).toEqualTypeOf<Ref<string>>();
        expectTypeOf(threshold).toEqualTypeOf<Ref<number>>();
        const data = getData(coin);
        expectTypeOf(data).toEqualTypeOf<Ref<Price[]>>();
        const isDip = detectDip(data, threshold);
        expectTypeOf(isDip).toEqualTypeOf<Ref<boolean>>();
        expectTypeOf(post(secret("hook"), "text")).toEqualTypeOf<Ref<null>>(); // void crosses as null
        when(isDip, () => post(secret("hook"), "dip"));
        // @ts-expect-error a number is not a string argument
        getData(42);
        // @ts-expect-error a Ref<number> is not a Ref<string>
        getData(threshold);
        // @ts-expect-error too few arguments
        detectDip(data);
        // @ts-expect-error a condition must be a Ref<boolean>
        when(data, () => {});
      },
    );
  });

  it("types .fn as the plain function", () => {
    expectTypeOf(getData.fn).toEqualTypeOf<(coin: string) => Promise<Price[]>>();
  });

  it("types .map over lists and unmapped arguments, and rejects non-lists", () => {
    flow(
      "mapped",
      { params: z.object({ coins: z.array(z.string()), threshold: z.number() }) },
      ({ coins, threshold }) => {
        const prices = getData.map(coins);
        expectTypeOf(prices).toEqualTypeOf<Ref<Price[][]>>();
        expectTypeOf(detectDip.map(prices, unmapped(threshold))).toEqualTypeOf<Ref<boolean[]>>();
        expectTypeOf(getData.map(["BTC", "ETH"])).toEqualTypeOf<Ref<Price[][]>>();
        // @ts-expect-error a Ref<number> is not a list
        getData.map(threshold);
        // @ts-expect-error "BTC" is not a list
        getData.map("BTC");
        // @ts-expect-error list items must be strings
        getData.map([1, 2]);
      },
    );
  });

  it("infers params from the zod schema, for runs and for subflow calls", () => {
    const child = flow(
      "child",
      { params: z.object({ month: z.string(), limit: z.number().default(10) }) },
      ({ month }) => getData(month),
    );
    expectTypeOf(child.parse).returns.toEqualTypeOf<{ month: string; limit: number }>();
    flow("parent", () => {
      expectTypeOf(child({ month: "2026-01" })).toEqualTypeOf<Ref<Price[]>>();
      // @ts-expect-error `mnth` is not a parameter of child
      child({ mnth: "2026-01" });
      // @ts-expect-error month must be a string
      child({ month: 1 });
    });
    flow("no-params-body", { params: z.object({ coin: z.string() }) }, (params) => {
      // @ts-expect-error `coins` is not a parameter
      getData(params.coins);
    });
  });
});
