import { describe, expectTypeOf, it } from "vitest";
import { cryptoDip, detectDip, getData } from "../../flows/crypto-dip.ts";
import { override, runFlow, type TestRun } from "../../sdk/testing/index.ts";

describe("stepflow/testing types", () => {
  it("types overrides by their task, and runs by their flow", () => {
    const check = () => {
      void override(getData, async () => [
        [0, 100],
        [3_600_000, 80],
      ]);
      void override(detectDip, (prices, threshold) => prices.length > threshold);
      void override(detectDip, async () => true); // a sync task may be replaced by an async function
      // @ts-expect-error the override must return what the task returns
      void override(getData, async () => "nope");
      // @ts-expect-error the override takes the task's arguments
      void override(detectDip, (prices: string) => prices === "");
      expectTypeOf(runFlow(cryptoDip, { coin: "BTC" })).toEqualTypeOf<Promise<TestRun<boolean>>>();
      // @ts-expect-error `coin` must be a string
      void runFlow(cryptoDip, { coin: 1 });
    };
    void check;
  });
});
