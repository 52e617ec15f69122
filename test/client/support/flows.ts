/** Flows for the client's tests: one per output shape. */
import { z } from "zod";
import { flow, task } from "../../../sdk/index.ts";

export const getPrices = task("get-prices", (coin: string, days: number) =>
  Array.from({ length: days }, (_, i) => ({ coin, day: i, usd: 100 - i })),
);
export const lowest = task("lowest", (prices: { usd: number }[]) => Math.min(...prices.map((p) => p.usd)));
export const double = task("double", (n: number) => n * 2);
export const noop = task("noop", () => undefined);

/** Output: an envelope (`{ v }` or `{ s3 }`). */
export const toTheMoon = flow(
  "to-the-moon",
  { params: z.object({ coin: z.string(), days: z.number().int().positive().default(3) }) },
  ({ coin, days }) => lowest(getPrices(coin, days)),
);

/** Output: a Map's rows. */
export const doubler = flow("doubler", { params: z.object({ xs: z.array(z.number()) }) }, ({ xs }) =>
  double.map(xs),
);

/** Output: a Distributed Map's ResultWriter manifest. */
export const bigDoubler = flow("big-doubler", { params: z.object({ xs: z.array(z.number()) }) }, ({ xs }) =>
  double.with({ large: true }).map(xs),
);

/** No output. */
export const quiet = flow("quiet", () => {
  noop();
});
