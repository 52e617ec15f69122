import { describe, expectTypeOf, it } from "vitest";
import { z } from "zod";
import type { ExecutionStatus, RunHandle, RunStatus as ClientRunStatus, StepflowClient } from "../../sdk/client/index.ts";
import type { FinalRunStatus, RunStatus as LocalRunStatus } from "../../sdk/local/index.ts";
import type { RunStatus } from "../../sdk/index.ts";
import { flow, task } from "../../sdk/index.ts";

const lowest = task("lowest", (coin: string, days: number) => coin.length * days);
const toTheMoon = flow(
  "to-the-moon",
  { params: z.object({ coin: z.string(), days: z.number().default(3) }) },
  ({ coin, days }) => lowest(coin, days),
);
const optional = flow(
  "optional",
  { params: z.object({ coin: z.string().default("DOGE") }) },
  () => undefined,
);
const none = flow("none", () => undefined);

describe("StepflowClient types", () => {
  it("types a flow's params and result", () => {
    const check = (client: StepflowClient) => {
      expectTypeOf(client.start(toTheMoon, { coin: "BTC" })).toEqualTypeOf<Promise<RunHandle<number>>>();
      void client.start(toTheMoon, { coin: "BTC", days: 7 }, { name: "backfill" });
      // @ts-expect-error `coin` must be a string
      void client.start(toTheMoon, { coin: 42 });
      // @ts-expect-error `coins` is not a parameter of the flow
      void client.start(toTheMoon, { coins: "BTC" });
      // @ts-expect-error `coin` is required
      void client.start(toTheMoon, { days: 1 });
      // @ts-expect-error params are required when a parameter is
      void client.start(toTheMoon);
      void client.start(optional);
      void client.start(none);
      // @ts-expect-error a flow without params takes none
      void client.start(none, { coin: "BTC" });
    };
    void check;
  });

  it("leaves params and results open for a run started by flow name", () => {
    const check = async (client: StepflowClient) => {
      const run = await client.start("to-the-moon", { coin: 42 });
      expectTypeOf(run).toEqualTypeOf<RunHandle<unknown>>();
      expectTypeOf(run.runId).toEqualTypeOf<string>();
      expectTypeOf(await (await client.start(toTheMoon, { coin: "x" })).result()).toEqualTypeOf<number>();
    };
    void check;
  });

  it("has one run status vocabulary across the entries", () => {
    expectTypeOf<ClientRunStatus>().toEqualTypeOf<RunStatus>();
    expectTypeOf<LocalRunStatus>().toEqualTypeOf<RunStatus>();
    expectTypeOf<FinalRunStatus>().toEqualTypeOf<Exclude<RunStatus, "RUNNING">>();
    expectTypeOf<ExecutionStatus>().toEqualTypeOf<RunStatus | "PENDING_REDRIVE">();
    expectTypeOf<Awaited<ReturnType<RunHandle["status"]>>>().toEqualTypeOf<ExecutionStatus>();
  });
});
